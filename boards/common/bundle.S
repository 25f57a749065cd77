/* The self-test bundle of core images, embedded in flash as it is on disk.
   SPINDLE_SELFTEST_BUNDLE_FILE is the quoted path, defined by the build.
   4-byte aligned: core images hold 32-bit fields read in place. */
    .section .rodata.spindle_bundle, "a"
    .balign 4
    .global spindle_bundle_start
    .global spindle_bundle_end
spindle_bundle_start:
    .incbin SPINDLE_SELFTEST_BUNDLE_FILE
spindle_bundle_end:
    .section .note.GNU-stack, "", %progbits
