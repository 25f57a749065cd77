/* The counting image's core images, embedded in flash as on disk (4-byte
   aligned: core images hold 32-bit fields read in place).
   SPINDLE_COUNTS_BUNDLE_FILE is the quoted path, defined by the build. */
    .section .rodata.spindle_bundle, "a"
    .balign 4
    .global spindle_bundle_start
    .global spindle_bundle_end
spindle_bundle_start:
    .incbin SPINDLE_COUNTS_BUNDLE_FILE
spindle_bundle_end:
    .section .note.GNU-stack, "", %progbits
