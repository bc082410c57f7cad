/**
 * The behaviour every planeguard adapter owes its users, as one suite: {@link
 * dev.planeguard.contract.AdapterContract}. An adapter's tests subclass it once per real server and
 * map the routes of {@link dev.planeguard.contract.ContractApp} with the framework's own routing;
 * requests are raw bytes on a socket ({@link dev.planeguard.contract.RawHttp}).
 */
@NullMarked
package dev.planeguard.contract;

import org.jspecify.annotations.NullMarked;
