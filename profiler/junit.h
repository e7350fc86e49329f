/// \file
/// JUnit XML, the test-report format CI systems read (GitHub Actions test
/// reporters, GitLab's artifacts:reports:junit, Jenkins).
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace mcusim {

struct JUnitCase {
  std::string name, classname;
  bool failed = false;
  std::string message; ///< the failure's one-line message (attribute)
  std::string detail;  ///< the failure's text (element content)
  std::string type = "failure"; ///< the failure's type attribute
};

struct JUnitSuite {
  std::string name;
  std::vector<std::pair<std::string, std::string>> properties;
  std::vector<JUnitCase> cases;
};

/// Escapes text for XML content and attribute values: & < > " ' become
/// entities; control characters XML 1.0 does not allow become '?'; invalid
/// UTF-8 bytes become '?'.
std::string xml_escape(std::string_view text);

/// `<testsuites>` holding the one `<testsuite>`, with tests/failures counts.
std::string render_junit(const JUnitSuite &suite);

} // namespace mcusim
