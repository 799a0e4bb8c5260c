package dev.broker.store.mvstore.internal;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;
import java.util.function.Consumer;
import java.util.zip.CRC32C;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Journal is the store's write-ahead log: the records of each group commit are appended to it with
 * one write before their stages complete, and MVStore commits (checkpoints) come only every few
 * hundred milliseconds. See docs/decisions/0005-durable-store.md.
 *
 * <p>The journal is a series of generations, one file each ({@code journal-<generation>.log} in
 * DATA_DIR). A checkpoint starts a new generation; once MVStore has the changes of the older ones
 * on the disk, their files are deleted. A record is {@code [int length][int crc32c][long sequence]
 * [payload]}; the sequence starts at 0 in each file and counts up by one, so replay stops at the
 * first torn or stale record.
 *
 * <p>Thread-safety: {@link #write}, {@link #rotate} and {@link #replay} run on the store's writer
 * thread only; {@link #force} and {@link #deleteBefore} may run on another thread.
 */
final class Journal implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Journal.class);
    private static final String PREFIX = "journal-";
    private static final String SUFFIX = ".log";
    /** HEADER is the length, checksum and sequence in front of every record's payload. */
    static final int HEADER = 4 + 4 + 8;

    private final Path dir;
    private volatile FileChannel channel;
    private long generation;
    private long position;
    private long sequence;
    private final CRC32C crc = new CRC32C();

    private Journal(Path dir) {
        this.dir = dir;
    }

    /** open lists the journal of {@code dir}; writing starts with {@link #rotate}. */
    static Journal open(Path dir) {
        return new Journal(dir);
    }

    /** generations lists the generations on the disk, oldest first. */
    TreeMap<Long, Path> generations() throws IOException {
        TreeMap<Long, Path> out = new TreeMap<>();
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, PREFIX + "*" + SUFFIX)) {
            for (Path file : files) {
                String name = file.getFileName().toString();
                try {
                    out.put(Long.parseLong(name.substring(PREFIX.length(), name.length() - SUFFIX.length())), file);
                } catch (NumberFormatException e) {
                    LOG.warn("ignoring {}: not a journal file of this broker", file);
                }
            }
        }
        return out;
    }

    /**
     * replay hands the payload of every intact record of generations {@code from} and later to
     * {@code apply}, in order, and returns the number of records. A file ends at its first torn
     * record (a write that a crash cut short).
     */
    long replay(long from, Consumer<ByteBuffer> apply) throws IOException {
        long records = 0;
        for (var g : generations().tailMap(from, true).entrySet()) {
            records += replayFile(g.getValue(), apply);
        }
        return records;
    }

    private long replayFile(Path file, Consumer<ByteBuffer> apply) throws IOException {
        ByteBuffer all = ByteBuffer.wrap(Files.readAllBytes(file));
        CRC32C check = new CRC32C();
        long expected = 0;
        while (all.remaining() >= HEADER) {
            int start = all.position();
            int length = all.getInt();
            int sum = all.getInt();
            if (length < 8 || length > all.remaining()) {
                all.position(start);
                break;
            }
            ByteBuffer body = all.slice(start + 8, length);
            check.reset();
            check.update(body.duplicate());
            if ((int) check.getValue() != sum || body.getLong() != expected) {
                all.position(start);
                break;
            }
            apply.accept(body.slice());
            expected++;
            all.position(start + 8 + length);
        }
        if (all.hasRemaining()) {
            LOG.info("journal {}: {} intact records, then {} bytes of a write cut short (ignored)", file.getFileName(), expected,
                    all.remaining());
        }
        return expected;
    }

    /** rotate closes the current generation and starts {@code next}, which must not exist yet. */
    void rotate(long next) throws IOException {
        FileChannel old = channel;
        channel = FileChannel.open(file(next), StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
        generation = next;
        position = 0;
        sequence = 0;
        if (old != null) {
            old.close();
        }
    }

    long generation() {
        return generation;
    }

    /** position is how many bytes the current generation holds. */
    long position() {
        return position;
    }

    /**
     * write appends one record per payload (each payload from its position to its limit) with one
     * positional write. If it fails, nothing of it counts: the next write starts where this one did.
     */
    void write(List<ByteBuffer> payloads) throws IOException {
        ByteBuffer[] parts = new ByteBuffer[payloads.size() * 2];
        long seq = sequence;
        long total = 0;
        for (int i = 0; i < payloads.size(); i++) {
            ByteBuffer payload = payloads.get(i).duplicate();
            ByteBuffer header = ByteBuffer.allocate(HEADER);
            header.putInt(8 + payload.remaining());
            header.putInt(0);
            header.putLong(seq++);
            crc.reset();
            crc.update(header.array(), 8, 8);
            crc.update(payload.duplicate());
            header.putInt(4, (int) crc.getValue());
            header.flip();
            total += HEADER + payload.remaining();
            parts[2 * i] = header;
            parts[2 * i + 1] = payload;
        }
        FileChannel ch = channel;
        long at = position;
        ch.position(at);
        long written = 0;
        while (written < total) {
            written += ch.write(parts);
        }
        position = at + total;
        sequence = seq;
    }

    /** force puts what was written on the disk (FSYNC=always after each write, interval once a second). */
    void force() throws IOException {
        FileChannel ch = channel;
        if (ch != null && ch.isOpen()) {
            ch.force(false);
        }
    }

    /** deleteBefore removes the files of generations older than {@code generation}. */
    void deleteBefore(long generation) throws IOException {
        for (Path file : generations().headMap(generation, false).values()) {
            Files.deleteIfExists(file);
        }
    }

    /** files lists the journal files, for tests. */
    List<Path> files() throws IOException {
        return new ArrayList<>(generations().values());
    }

    private Path file(long g) {
        return dir.resolve(PREFIX + g + SUFFIX);
    }

    @Override
    public void close() throws IOException {
        FileChannel ch = channel;
        if (ch != null) {
            ch.close();
        }
    }
}
