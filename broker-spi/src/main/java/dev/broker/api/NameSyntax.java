package dev.broker.api;

/**
 * NameSyntax is the character set of topic-name segments and group names, {@code [A-Za-z0-9_-]},
 * checked by a plain scan: names are checked on every request, and a regular expression with a
 * repeated group cost the HTTP publish path a tenth of its CPU (docs/BENCHMARKS.md, issue 12).
 */
final class NameSyntax {
    private NameSyntax() {
    }

    /** isNameChar tells whether {@code c} may appear in a segment or a group name. */
    static boolean isNameChar(char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '-';
    }

    /** isName tells whether {@code value} is 1 to {@code max} name characters. */
    static boolean isName(String value, int max) {
        int n = value.length();
        if (n == 0 || n > max) {
            return false;
        }
        for (int i = 0; i < n; i++) {
            if (!isNameChar(value.charAt(i))) {
                return false;
            }
        }
        return true;
    }
}
