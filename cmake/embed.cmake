# embed.cmake - writes a C file that holds a text file as a NUL-terminated char array, so
# that a program carries its page assets in the binary (nothing fetched at run time).
#   cmake -DIN=page.js -DOUT=web_script.c -DNAME=web_script -P embed.cmake
file(READ "${IN}" hex HEX)
string(REGEX REPLACE "([0-9a-f][0-9a-f])" "0x\\1," bytes "${hex}")
file(WRITE "${OUT}" "/* generated from ${IN} by cmake/embed.cmake: edit that file */\n"
                    "extern const char ${NAME}[];\n"
                    "const char ${NAME}[] = {${bytes}0x00};\n")
