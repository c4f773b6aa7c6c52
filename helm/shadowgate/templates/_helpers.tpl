{{/*
Names, labels and the few numbers the chart derives from the shadowgate config. Ports and
drain times are read from `config:` (one source of truth), with shadowgate's own defaults.
*/}}

{{- define "shadowgate.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- define "shadowgate.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- $name := default .Chart.Name .Values.nameOverride }}
{{- if contains $name .Release.Name }}
{{- .Release.Name | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" }}
{{- end }}
{{- end }}
{{- end }}

{{- define "shadowgate.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* The Deployment and Service: shadowgate itself, or the app it runs beside. */}}
{{- define "shadowgate.workloadName" -}}
{{- if eq .Values.mode "sidecar" }}
{{- .Values.app.name | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- include "shadowgate.fullname" . }}
{{- end }}
{{- end }}

{{- define "shadowgate.selectorLabels" -}}
app.kubernetes.io/name: {{ include "shadowgate.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{/* Labels of the chart's objects other than the workload's pods. */}}
{{- define "shadowgate.labels" -}}
helm.sh/chart: {{ include "shadowgate.chart" . }}
{{ include "shadowgate.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end }}

{{/* Pods of the workload: shadowgate's (standalone) or the app's (sidecar). */}}
{{- define "shadowgate.workloadSelectorLabels" -}}
{{- if eq .Values.mode "sidecar" -}}
app.kubernetes.io/name: {{ include "shadowgate.workloadName" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- else -}}
{{ include "shadowgate.selectorLabels" . }}
{{- end }}
{{- end }}

{{- define "shadowgate.workloadLabels" -}}
helm.sh/chart: {{ include "shadowgate.chart" . }}
{{ include "shadowgate.workloadSelectorLabels" . }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- if eq .Values.mode "sidecar" }}
app.kubernetes.io/component: app
{{- else }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/component: proxy
{{- end }}
{{- end }}

{{- define "shadowgate.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "shadowgate.fullname" .) .Values.serviceAccount.name }}
{{- else }}
{{- default "default" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{- define "shadowgate.image" -}}
{{- $tag := default .Chart.AppVersion .Values.image.tag }}
{{- if .Values.image.digest }}
{{- printf "%s:%s@%s" .Values.image.repository $tag .Values.image.digest }}
{{- else }}
{{- printf "%s:%s" .Values.image.repository $tag }}
{{- end }}
{{- end }}

{{/* Names of the chart-made objects the pod refers to. */}}
{{- define "shadowgate.configMapName" -}}
{{- printf "%s-config" (include "shadowgate.fullname" .) | trunc 63 | trimSuffix "-" }}
{{- end }}
{{- define "shadowgate.flagsConfigMapName" -}}
{{- printf "%s-flags" (include "shadowgate.fullname" .) | trunc 63 | trimSuffix "-" }}
{{- end }}
{{- define "shadowgate.secretName" -}}
{{- include "shadowgate.fullname" . }}
{{- end }}

{{/* The data-plane and admin ports, from config: (shadowgate's defaults 8080 and 9090). */}}
{{- define "shadowgate.proxyPort" -}}
{{- dig "server" "port" 8080 (.Values.config | default dict) | int }}
{{- end }}
{{- define "shadowgate.adminPort" -}}
{{- dig "admin" "port" 9090 (.Values.config | default dict) | int }}
{{- end }}

{{/* The drain budget in ms: server.shutdownTimeoutMs + server.shutdownDelayMs (25000 + 0). */}}
{{- define "shadowgate.drainMs" -}}
{{- $c := .Values.config | default dict }}
{{- add (dig "server" "shutdownTimeoutMs" 25000 $c | int64) (dig "server" "shutdownDelayMs" 0 $c | int64) }}
{{- end }}

{{/*
terminationGracePeriodSeconds: the value given, else the drain budget rounded up plus 5 s
for the last responses and the exit. Documented for parent charts: set your pod's
terminationGracePeriodSeconds from `include "shadowgate.terminationGracePeriodSeconds" .Subcharts.shadowgate`.
*/}}
{{- define "shadowgate.terminationGracePeriodSeconds" -}}
{{- if kindIs "invalid" .Values.terminationGracePeriodSeconds }}
{{- add (div (add (include "shadowgate.drainMs" . | int64) 999) 1000) 5 }}
{{- else }}
{{- .Values.terminationGracePeriodSeconds | int64 }}
{{- end }}
{{- end }}

{{/* The legacy URL shadowgate uses in sidecar mode: the app container on the pod's loopback. */}}
{{- define "shadowgate.sidecarLegacyUrl" -}}
{{- printf "http://127.0.0.1:%d" (.Values.app.port | int) }}
{{- end }}

{{/* values.yaml's config.legacy.url (the standalone example), replaced in sidecar mode. */}}
{{- define "shadowgate.defaultLegacyUrl" -}}
http://legacy:80
{{- end }}

{{/* Environment variables the chart injects; the config refers to them as ${NAME}. */}}
{{- define "shadowgate.adminTokenEnv" -}}SHADOWGATE_ADMIN_TOKEN{{- end }}
{{- define "shadowgate.unleashTokenEnv" -}}UNLEASH_BACKEND_TOKEN{{- end }}
{{- define "shadowgate.configDir" -}}/etc/shadowgate{{- end }}
