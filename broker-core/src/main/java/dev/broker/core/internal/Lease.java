package dev.broker.core.internal;

/**
 * Lease is a manual delivery waiting for its ack. Guarded by its topic's monitor.
 */
final class Lease {
    final long offset;
    final long id;
    /** member holds it, or null for an HTTP consumer. */
    final GroupMember member;
    final long leasedAt;
    final long deadline;

    Lease(long offset, long id, GroupMember member, long leasedAt, long deadline) {
        this.offset = offset;
        this.id = id;
        this.member = member;
        this.leasedAt = leasedAt;
        this.deadline = deadline;
    }
}
