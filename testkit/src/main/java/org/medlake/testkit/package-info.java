/**
 * Test kit of medlake: starts the real Elasticsearch and Keycloak once per JVM (or uses external URLs given by
 * {@code MEDLAKE_TEST_ES_URL} / {@code MEDLAKE_TEST_KEYCLOAK_URL}) and obtains real tokens from the {@code medlake}
 * realm. Use it at test scope only.
 */
package org.medlake.testkit;
