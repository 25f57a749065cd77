// spindle_stdp_additive_depression_pass: see additive_depression_pass.h.
//
// Per synapse k (from length - 1 down to 0), with c = control[k]:
//   n = c & index_mask, d = c >> delay_shift, (tick, trace) = newest[n]
//   at = tick + d; if at > window_begin: later[] <- k, next synapse
//   dt = arrival - at = (window_begin - at) + window
//   i = dt >> time_shift; if i < 256:
//     x = (trace * minus_table[i] + 1024) >> 11
//     w = max(w - ((a_minus * x + 1024) >> 11), w_min)   (signed compare)
//     weights[k] = w
//   ring[(c + ring_base) & ring_mask] += w, saturating at 2^32 - 1
// A trace of 0 (a neuron that never fired) gives x = 0 and leaves w as it is,
// as the C++ loop's test for it does.
//
// Registers in the loop:
//   r0 control, r1 weights, r2 k, r3 newest,
//   r4 delay_shift, r5 window_begin, r6 ring_words, r7 ring_base, r8 ring_mask,
//   r9 c, r10 and r11 scratch, r12 tick then w, lr trace.
// The other constants are copied to the stack frame and reloaded there.

  .syntax unified
  .thumb
  .text

  // Frame (after the pushes): the reloaded constants.
  .equ F_INDEX_MASK, 0
  .equ F_WINDOW, 4
  .equ F_TIME_SHIFT, 8
  .equ F_TABLE, 12
  .equ F_A_MINUS, 16
  .equ F_W_MIN, 20
  .equ F_LATER, 24
  .equ FRAME, 28          // 36 bytes pushed + 28: sp stays 8-byte aligned
  .equ PUSHED, 36         // r4-r11, lr
  .equ ARG_PASS, FRAME + PUSHED   // the fifth argument, on the caller's stack

  .global spindle_stdp_additive_depression_pass
  .type spindle_stdp_additive_depression_pass, %function
  .thumb_func
  .p2align 2
spindle_stdp_additive_depression_pass:
  push {r4-r11, lr}
  sub sp, sp, #FRAME
  ldr r12, [sp, #ARG_PASS]
  // The reloaded constants: index_mask .. later (offsets 20..44) to the frame.
  add r4, r12, #20
  ldm r4, {r4-r10}
  stm sp, {r4-r10}
  // The register constants (offsets 0..16).
  ldm r12, {r4-r8}
  subs r2, r2, #1
  bcc .Ldone

.Lloop:
  ldrh r9, [r0, r2, lsl #1]
  ldr r11, [sp, #F_INDEX_MASK]
  and r10, r9, r11
  add r10, r3, r10, lsl #3
  ldrd r12, lr, [r10]
  lsr r11, r9, r4
  add r12, r12, r11
  subs r10, r5, r12       // window_begin - at; borrow: at > window_begin
  bcc .Llater
  ldrh r12, [r1, r2, lsl #1]
  ldr r11, [sp, #F_WINDOW]
  add r10, r10, r11       // dt
  ldr r11, [sp, #F_TIME_SHIFT]
  lsr r10, r10, r11
  cmp r10, #255
  bhi .Lring              // beyond the table: the window is 0, w unchanged
  ldr r11, [sp, #F_TABLE]
  ldrh r10, [r11, r10, lsl #1]
  mul r10, lr, r10
  add r10, r10, #1024
  lsr r10, r10, #11       // x, u4.11
  ldr r11, [sp, #F_A_MINUS]
  mul r10, r11, r10
  add r10, r10, #1024
  sub r12, r12, r10, lsr #11
  ldr r11, [sp, #F_W_MIN]
  cmp r12, r11
  it lt
  movlt r12, r11
  strh r12, [r1, r2, lsl #1]
.Lring:
  add r10, r9, r7
  and r10, r10, r8
  ldr r11, [r6, r10, lsl #2]
  adds r11, r11, r12
  it cs
  movcs r11, #0xffffffff
  str r11, [r6, r10, lsl #2]
.Lnext:
  subs r2, r2, #1
  bcs .Lloop

.Ldone:
  ldr r0, [sp, #F_LATER]
  add sp, sp, #FRAME
  pop {r4-r11, pc}

.Llater:
  ldr r11, [sp, #F_LATER]
  strb r2, [r11], #1
  str r11, [sp, #F_LATER]
  b .Lnext

  .size spindle_stdp_additive_depression_pass, . - spindle_stdp_additive_depression_pass
  .section .note.GNU-stack,"",%progbits
