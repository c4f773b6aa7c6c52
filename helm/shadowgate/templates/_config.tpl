{{/*
The shadowgate config file as the pod sees it: `config:` passed through, plus what the chart
decides (legacy in sidecar mode, the admin listener, token references, the flags file).
*/}}
{{- define "shadowgate.effectiveConfig" -}}
{{- $c := deepCopy (.Values.config | default dict) }}
{{- if eq .Values.mode "sidecar" }}
{{- $legacy := get $c "legacy" | default dict }}
{{- $_ := set $legacy "url" (include "shadowgate.sidecarLegacyUrl" .) }}
{{- $_ := set $c "legacy" $legacy }}
{{- end }}
{{- $admin := get $c "admin" | default dict }}
{{- /* Probes and Prometheus reach the admin port on the pod IP, never on loopback. */}}
{{- if not (hasKey $admin "host") }}
{{- $_ := set $admin "host" "0.0.0.0" }}
{{- end }}
{{- if .Values.secrets.adminToken }}
{{- $_ := set $admin "token" (printf "${%s}" (include "shadowgate.adminTokenEnv" .)) }}
{{- end }}
{{- $_ := set $c "admin" $admin }}
{{- $flags := get $c "flags" | default dict }}
{{- if .Values.flagsBootstrap }}
{{- /* Relative to the config file, so it is read from the same mounted folder. */}}
{{- $_ := set $flags "file" "flags.json" }}
{{- end }}
{{- if and .Values.secrets.unleashToken (hasKey $flags "unleash") }}
{{- $unleash := get $flags "unleash" | default dict }}
{{- $_ := set $unleash "token" (printf "${%s}" (include "shadowgate.unleashTokenEnv" .)) }}
{{- $_ := set $flags "unleash" $unleash }}
{{- end }}
{{- if $flags }}
{{- $_ := set $c "flags" $flags }}
{{- end }}
{{- toYaml $c }}
{{- end }}

{{/*
checksum/config: a hash of only what shadowgate cannot take live (listener ports and hosts,
the admin token, the tracing endpoint) and of the Secret the chart makes (env vars are read at
start). Everything else in the ConfigMaps reloads in the running pod, so editing a route
does not roll the Deployment.
*/}}
{{- define "shadowgate.restartChecksum" -}}
{{- $c := include "shadowgate.effectiveConfig" . | fromYaml }}
{{- $fixed := dict
  "server.port" (dig "server" "port" nil $c)
  "server.host" (dig "server" "host" nil $c)
  "admin.port" (dig "admin" "port" nil $c)
  "admin.host" (dig "admin" "host" nil $c)
  "admin.token" (dig "admin" "token" nil $c)
  "tracing.otlpEndpoint" (dig "tracing" "otlpEndpoint" nil $c)
  "secrets" .Values.secrets }}
{{- toJson $fixed | sha256sum }}
{{- end }}
