package dev.broker.api;

/**
 * GroupName is the validated name of a consumer group: 1 to 64 characters of {@code [A-Za-z0-9_-]}.
 *
 * @param value the name as the user wrote it
 */
public record GroupName(String value) {
    /** MAX_LENGTH is the longest group name accepted, in characters. */
    public static final int MAX_LENGTH = 64;

    /** DEFAULT is the group a consumer uses when it names none. */
    public static final GroupName DEFAULT = new GroupName("default");

    /**
     * Creates a group name.
     *
     * @throws BrokerException with {@link ErrorCode#INVALID_GROUP} if the name is not valid
     */
    public GroupName {
        if (value == null || !NameSyntax.isName(value, MAX_LENGTH)) {
            throw new BrokerException(ErrorCode.INVALID_GROUP, "'" + value
                    + "' is not a group name: use 1 to 64 letters, digits, '_' or '-'");
        }
    }

    /** of parses a group name; see the constructor for what it throws. */
    public static GroupName of(String value) {
        return new GroupName(value);
    }

    @Override
    public String toString() {
        return value;
    }
}
