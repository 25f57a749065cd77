// Labels: the safe set validation accepts, file-name stems that stay inside
// the results folder whatever a label holds, and labels shown in messages.
#include <gtest/gtest.h>

#include <string>

#include "network/labels.h"

using namespace spindle::host::network;
using namespace std::string_literals;

TEST(Labels, ProblemsNameTheCharacter) {
  EXPECT_EQ(label_problem("L23E"), "");
  EXPECT_EQ(label_problem("L23E->L4E"), "");
  EXPECT_EQ(label_problem(""), "must not be empty");
  EXPECT_EQ(label_problem("a\0b"s),
            "character 2 (byte 0x00) is not allowed: labels use letters, digits, space and _ - . + > ( ) [ ]");
  EXPECT_EQ(label_problem("caf\xc3\xa9"),
            "character 4 (byte 0xC3) is not allowed: labels use letters, digits, space and _ - . + > ( ) [ ]");
}

TEST(Labels, FileStemsNeverLeaveTheFolder) {
  // Whatever the label (these fail validation; a writer may still meet them
  // in a daemon's answer), the stem has no separator, no NUL, and does not
  // start with '.' or '-'.
  for (const std::string& label : {"../victim.txt\0"s, "/etc/passwd"s, ".."s, "."s, ""s, "-rf"s, "a/../../b"s,
                                  "\\\\server\\share"s, "x\ny"s}) {
    const std::string stem = file_stem(label);
    EXPECT_FALSE(stem.empty());
    EXPECT_EQ(stem.find_first_of("/\\\0\n"s), std::string::npos) << stem;
    EXPECT_NE(stem.front(), '.') << stem;
    EXPECT_NE(stem.front(), '-') << stem;
  }
  EXPECT_EQ(file_stem("../victim.txt\0"s), "_._victim.txt_");
  EXPECT_EQ(file_stem("Population 0"), "Population_0");
  EXPECT_EQ(file_stem("L23E"), "L23E");
}

TEST(Labels, UniqueStemsForLabelsThatMapAlike) {
  EXPECT_EQ(unique_file_stems({"a b", "a_b", "c", "a b"}),
            (std::vector<std::string>{"a_b", "a_b-1", "c", "a_b-3"}));
  EXPECT_EQ(unique_file_stems({"x", "x-1", "x"}), (std::vector<std::string>{"x", "x-1", "x-2"}));
}

TEST(Labels, QuotedForMessages) {
  EXPECT_EQ(quote_for_message("exc"), "\"exc\"");
  EXPECT_EQ(quote_for_message("a\"b\\c\nd\x1b"), "\"a\\\"b\\\\c\\nd\\x1b\"");
  EXPECT_EQ(quote_for_message(std::string(100, 'x')), "\"" + std::string(80, 'x') + "\" (20 more bytes)");
}
