package dev.broker.core.internal;

import dev.broker.spi.MessageStore;
import dev.broker.storetest.MessageStoreContract;

/**
 * MemoryStoreContractTest runs the store contract against the memory store. The memory store keeps
 * nothing across a process restart, but an instance recovers what it holds, which is how the
 * router's restart tests use it; so {@link #reopen} hands back the same instance and the recovery
 * tests run too.
 */
class MemoryStoreContractTest extends MessageStoreContract {
    @Override
    protected MessageStore open() {
        return new MemoryStore();
    }

    @Override
    protected MessageStore reopen(MessageStore closed) {
        return closed;
    }
}
