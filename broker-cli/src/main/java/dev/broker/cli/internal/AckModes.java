package dev.broker.cli.internal;

import dev.broker.client.AckMode;
import picocli.CommandLine;

/** AckModes reads {@code --ack auto|manual}. */
final class AckModes implements CommandLine.ITypeConverter<AckMode> {
    @Override
    public AckMode convert(String text) {
        try {
            return AckMode.parse(text);
        } catch (IllegalArgumentException e) {
            throw new CommandLine.TypeConversionException(e.getMessage());
        }
    }
}
