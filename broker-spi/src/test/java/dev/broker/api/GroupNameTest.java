package dev.broker.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class GroupNameTest {

    @ParameterizedTest
    @ValueSource(strings = {"a", "workers", "Team_1", "billing-eu", "0", "-", "_"})
    void acceptsLettersDigitsUnderscoreAndDash(String name) {
        assertEquals(name, GroupName.of(name).value());
        assertEquals(name, GroupName.of(name).toString());
    }

    @Test
    void acceptsSixtyFourCharactersAndRejectsSixtyFive() {
        assertEquals(64, GroupName.of("g".repeat(64)).value().length());
        BrokerException e = assertThrows(BrokerException.class, () -> GroupName.of("g".repeat(65)));
        assertEquals(ErrorCode.INVALID_GROUP, e.code());
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "a.b", "a b", "a*", "a>", "grüppe", "a/b", " lead", "trail ", "line\n", "\tx"})
    void rejectsOtherCharacters(String name) {
        BrokerException e = assertThrows(BrokerException.class, () -> GroupName.of(name), name);
        assertEquals(ErrorCode.INVALID_GROUP, e.code());
    }

    @Test
    void rejectsNull() {
        assertEquals(ErrorCode.INVALID_GROUP, assertThrows(BrokerException.class, () -> new GroupName(null)).code());
    }

    @Test
    void defaultGroupIsNamedDefault() {
        assertEquals("default", GroupName.DEFAULT.value());
        assertEquals(GroupName.of("default"), GroupName.DEFAULT);
    }
}
