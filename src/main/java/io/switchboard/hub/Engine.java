package io.switchboard.hub;

import io.switchboard.broker.Broker;
import io.switchboard.broker.PresenceManager;

/**
 * The node's side of the channels: the broker and presence manager (together what Centrifuge
 * calls an engine) and the {@link Fanout} that hands the broker's deliveries to the hubs. Built
 * once by the node; thread-safe.
 */
public record Engine(Broker broker, PresenceManager presence, Fanout fanout) {}
