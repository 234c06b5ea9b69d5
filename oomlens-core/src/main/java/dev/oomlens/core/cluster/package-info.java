/**
 * What a Kubernetes cluster told about memory, as plain records: nodes, pods and their containers,
 * events, workloads, priority classes, volumes, observed usage and Flux's status conditions. Read
 * from the live API or from {@code kubectl get -o json|yaml} dumps by {@code oomlens-k8s}; nothing
 * here knows the client library, so the rules that read these stay pure. Sizes are in bytes.
 */
package dev.oomlens.core.cluster;
