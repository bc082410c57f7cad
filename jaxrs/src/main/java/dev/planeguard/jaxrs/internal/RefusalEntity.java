package dev.planeguard.jaxrs.internal;

import dev.planeguard.Refusal;

/**
 * The entity of a refusal: only {@link RefusalWriter} writes it, so no entity provider of the
 * application can render it otherwise.
 */
public record RefusalEntity(Refusal refusal) {}
