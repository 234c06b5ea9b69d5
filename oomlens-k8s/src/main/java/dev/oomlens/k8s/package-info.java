/**
 * Kubernetes evidence: objects read from the live API server (fabric8 kubernetes-client, read-only
 * verbs) or from {@code kubectl get -o json|yaml} dumps and manifests, turned into core's cluster
 * records by one converter, so both paths give the rules the same evidence.
 */
package dev.oomlens.k8s;
