package dev.broker.cli.internal;

import dev.broker.client.StartFrom;
import picocli.CommandLine;

/** StartFroms reads {@code --from earliest|latest|OFFSET}. */
final class StartFroms implements CommandLine.ITypeConverter<StartFrom> {
    @Override
    public StartFrom convert(String text) {
        try {
            return StartFrom.parse(text);
        } catch (IllegalArgumentException e) {
            throw new CommandLine.TypeConversionException(e.getMessage());
        }
    }
}
