# cmake -DSIZE_TOOL=arm-none-eabi-size -DELF=x.elf -DOUT=board.size.txt -P size_report.cmake
# Prints an image's section sizes (text/data/bss) and a one-line summary, and
# writes both to OUT, so image growth shows up in every build log.
execute_process(COMMAND ${SIZE_TOOL} ${ELF} OUTPUT_VARIABLE table RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "${SIZE_TOOL} ${ELF} failed")
endif()
# Berkeley format: a header line, then "text data bss dec hex filename".
string(REGEX MATCH "\n[ \t]*([0-9]+)[ \t]+([0-9]+)[ \t]+([0-9]+)" row "${table}")
set(text ${CMAKE_MATCH_1})
set(data ${CMAKE_MATCH_2})
set(bss ${CMAKE_MATCH_3})
math(EXPR flash "${text} + ${data}")  # .data's initial values live in flash too
math(EXPR ram "${data} + ${bss}")     # bss includes the stack block
get_filename_component(name ${ELF} NAME)
set(summary "${name}: image size ${flash} bytes in flash (text ${text} + data ${data}), ${ram} bytes of RAM (data ${data} + bss ${bss}, stack included)")
file(WRITE ${OUT} "${table}${summary}\n")
execute_process(COMMAND ${CMAKE_COMMAND} -E echo "${table}${summary}")
