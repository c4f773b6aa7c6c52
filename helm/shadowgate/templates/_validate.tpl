{{/*
Contradictions the schema cannot see. Each check fails the render with a message naming the
values involved and what to do; values.schema.json already rejects unknown keys and types.
*/}}
{{- define "shadowgate.validate" -}}
{{- $c := .Values.config | default dict }}
{{- $proxyPort := include "shadowgate.proxyPort" . | int }}
{{- $adminPort := include "shadowgate.adminPort" . | int }}
{{- $ref := printf "${%s}" (include "shadowgate.adminTokenEnv" .) }}

{{- if eq $proxyPort $adminPort }}
{{- fail (printf "config.server.port and config.admin.port are both %d: give the data plane and the admin API different ports" $proxyPort) }}
{{- end }}
{{- if or (eq $proxyPort 0) (eq $adminPort 0) }}
{{- fail "config.server.port and config.admin.port must be fixed ports in Kubernetes (0 picks a random one that no Service or probe can find)" }}
{{- end }}

{{- if eq .Values.mode "sidecar" }}
{{- if .Values.app.enabled }}
{{- if not .Values.app.name }}
{{- fail "mode: sidecar needs app.name (the name of your workload's Deployment and Service)" }}
{{- end }}
{{- if not .Values.app.image }}
{{- fail "mode: sidecar needs app.image (the image of the legacy container shadowgate runs beside, e.g. registry.example.com/orders:1.4.2)" }}
{{- end }}
{{- end }}
{{- $appPort := .Values.app.port | int }}
{{- if or (eq $appPort $proxyPort) (eq $appPort $adminPort) }}
{{- fail (printf "mode: sidecar: app.port %d is also shadowgate's %s port; the app and shadowgate share the pod's network, so set config.server.port / config.admin.port to free ports (e.g. config.server.port: 8000)" $appPort (ternary "data-plane (config.server.port)" "admin (config.admin.port)" (eq $appPort $proxyPort))) }}
{{- end }}
{{- $legacyUrl := dig "legacy" "url" "" $c }}
{{- if and $legacyUrl (ne $legacyUrl (include "shadowgate.defaultLegacyUrl" .)) (ne $legacyUrl (include "shadowgate.sidecarLegacyUrl" .)) }}
{{- fail (printf "mode: sidecar: legacy is the app container at %s, but config.legacy.url is %s; remove config.legacy.url (or use mode: standalone to proxy a Service)" (include "shadowgate.sidecarLegacyUrl" .) $legacyUrl) }}
{{- end }}
{{- if and .Values.sidecar.native (not (semverCompare ">=1.29.0-0" .Capabilities.KubeVersion.Version)) }}
{{- fail (printf "sidecar.native: true needs Kubernetes 1.29 or later (native sidecar containers); this cluster is %s: set sidecar.native: false" .Capabilities.KubeVersion.Version) }}
{{- end }}
{{- else }}
{{- if not (dig "legacy" "url" "" $c) }}
{{- fail "mode: standalone needs config.legacy.url (the URL of the legacy Service shadowgate sits in front of)" }}
{{- end }}
{{- end }}

{{- with .Values.secrets.adminToken }}
{{- include "shadowgate.validateSecretRef" (list "secrets.adminToken" .) }}
{{- end }}
{{- with .Values.secrets.unleashToken }}
{{- include "shadowgate.validateSecretRef" (list "secrets.unleashToken" .) }}
{{- end }}
{{- $adminToken := dig "admin" "token" "" $c }}
{{- if and $adminToken (ne $adminToken $ref) }}
{{- fail (printf "config.admin.token must not hold a token (it would land in a ConfigMap): set secrets.adminToken to {existingSecret, key} or {value}; the chart then writes admin.token: %s" $ref) }}
{{- end }}
{{- if and $adminToken (not .Values.secrets.adminToken) }}
{{- fail (printf "config.admin.token is %s but secrets.adminToken is empty: set secrets.adminToken so the chart injects %s" $ref (include "shadowgate.adminTokenEnv" .)) }}
{{- end }}
{{- $unleash := dig "flags" "unleash" dict $c }}
{{- $unleashRef := printf "${%s}" (include "shadowgate.unleashTokenEnv" .) }}
{{- if $unleash }}
{{- if and (hasKey $unleash "token") (ne (toString $unleash.token) $unleashRef) }}
{{- fail (printf "config.flags.unleash.token must not hold a token (it would land in a ConfigMap): set secrets.unleashToken to {existingSecret, key} or {value}; the chart then writes flags.unleash.token: %s" $unleashRef) }}
{{- end }}
{{- if not .Values.secrets.unleashToken }}
{{- fail "config.flags.unleash needs secrets.unleashToken ({existingSecret: NAME, key: KEY} or {value: ...}): the Unleash backend token" }}
{{- end }}
{{- else if .Values.secrets.unleashToken }}
{{- fail "secrets.unleashToken is set but config.flags.unleash is not: add config.flags.unleash.url (and appName, environment) or drop the token" }}
{{- end }}
{{- if and .Values.flagsBootstrap (dig "flags" "file" "" $c) }}
{{- fail (printf "flagsBootstrap and config.flags.file are both set: the chart mounts flagsBootstrap as %s/flags.json; drop config.flags.file" (include "shadowgate.configDir" .)) }}
{{- end }}
{{- range .Values.env }}
{{- if and (has .name (list (include "shadowgate.adminTokenEnv" $) (include "shadowgate.unleashTokenEnv" $))) (hasKey . "value") }}
{{- fail (printf "env %s has a plain value: tokens go in secrets.adminToken / secrets.unleashToken (a Secret reference)" .name) }}
{{- end }}
{{- end }}

{{- $drainMs := include "shadowgate.drainMs" . | int64 }}
{{- if not (kindIs "invalid" .Values.terminationGracePeriodSeconds) }}
{{- if le (mul (.Values.terminationGracePeriodSeconds | int64) 1000) $drainMs }}
{{- fail (printf "terminationGracePeriodSeconds %v is not above the drain budget config.server.shutdownTimeoutMs + config.server.shutdownDelayMs = %d ms: raise it (or leave it empty for %s)" .Values.terminationGracePeriodSeconds $drainMs (include "shadowgate.terminationGracePeriodSeconds" (dict "Values" (dict "terminationGracePeriodSeconds" nil "config" $c)))) }}
{{- end }}
{{- end }}

{{- $pdb := .Values.podDisruptionBudget }}
{{- if $pdb.enabled }}
{{- if not (or (kindIs "invalid" $pdb.minAvailable) (kindIs "invalid" $pdb.maxUnavailable)) }}
{{- fail "podDisruptionBudget: set minAvailable or maxUnavailable, not both" }}
{{- end }}
{{- $replicas := ternary (.Values.autoscaling.minReplicas | int) (.Values.replicaCount | int) .Values.autoscaling.enabled }}
{{- if and (not (kindIs "invalid" $pdb.minAvailable)) (not (kindIs "string" $pdb.minAvailable)) (ge ($pdb.minAvailable | int) $replicas) }}
{{- fail (printf "podDisruptionBudget.minAvailable %v with %d replica(s) would block every node drain: raise replicaCount (or autoscaling.minReplicas) above it, or use maxUnavailable" $pdb.minAvailable $replicas) }}
{{- end }}
{{- end }}
{{- if and .Values.autoscaling.enabled (gt (.Values.autoscaling.minReplicas | int) (.Values.autoscaling.maxReplicas | int)) }}
{{- fail "autoscaling.minReplicas is above autoscaling.maxReplicas" }}
{{- end }}
{{- if and .Values.autoscaling.enabled (kindIs "invalid" .Values.autoscaling.targetCPUUtilizationPercentage) (kindIs "invalid" .Values.autoscaling.targetMemoryUtilizationPercentage) }}
{{- fail "autoscaling.enabled needs targetCPUUtilizationPercentage or targetMemoryUtilizationPercentage" }}
{{- end }}
{{- if and .Values.serviceMonitor.enabled (not .Values.serviceMonitor.selector) (eq .Values.mode "sidecar") (not .Values.app.enabled) }}
{{- fail "serviceMonitor.enabled with app.enabled: false needs serviceMonitor.selector (the labels of your Service that exposes the admin port)" }}
{{- end }}
{{- end }}

{{/* A token reference is either {existingSecret, key} or {value}, never both, never half. */}}
{{- define "shadowgate.validateSecretRef" -}}
{{- $name := index . 0 }}
{{- $ref := index . 1 }}
{{- if hasKey $ref "value" }}
{{- if or (hasKey $ref "existingSecret") (hasKey $ref "key") }}
{{- fail (printf "%s: set either {existingSecret, key} or {value}, not both" $name) }}
{{- end }}
{{- else if not (and $ref.existingSecret $ref.key) }}
{{- fail (printf "%s: an existing Secret needs both existingSecret (its name) and key (the key holding the token)" $name) }}
{{- end }}
{{- end }}
