{{/*
The shadowgate container and the volumes it needs, shared by both modes and by parent charts.

shadowgate.sidecarContainer — one list item (starts with "- name: shadowgate"). Called with
this chart's context: `.` here, `.Subcharts.shadowgate` from a parent chart that has this chart
as a dependency. With sidecar.native: true it carries restartPolicy: Always and belongs under
the pod's initContainers (k8s >= 1.29); with sidecar.native: false under containers. Example:

  initContainers:
    {{- include "shadowgate.sidecarContainer" .Subcharts.shadowgate | nindent 4 }}
  volumes:
    {{- include "shadowgate.volumes" .Subcharts.shadowgate | nindent 4 }}
  terminationGracePeriodSeconds: {{ include "shadowgate.terminationGracePeriodSeconds" .Subcharts.shadowgate }}
*/}}
{{- define "shadowgate.sidecarContainer" -}}
{{- $native := and (eq .Values.mode "sidecar") .Values.sidecar.native -}}
- name: shadowgate
  image: {{ include "shadowgate.image" . | quote }}
  imagePullPolicy: {{ .Values.image.pullPolicy }}
  {{- if $native }}
  restartPolicy: Always
  {{- end }}
  args: ["serve", "--config", "{{ include "shadowgate.configDir" . }}/config.yaml"]
  ports:
    - name: http
      containerPort: {{ include "shadowgate.proxyPort" . }}
      protocol: TCP
    - name: admin
      containerPort: {{ include "shadowgate.adminPort" . }}
      protocol: TCP
  {{- if or .Values.secrets.adminToken .Values.secrets.unleashToken .Values.env }}
  env:
    {{- with .Values.secrets.adminToken }}
    - name: {{ include "shadowgate.adminTokenEnv" $ }}
      valueFrom:
        secretKeyRef:
          name: {{ .existingSecret | default (include "shadowgate.secretName" $) }}
          key: {{ .key | default "admin-token" }}
    {{- end }}
    {{- with .Values.secrets.unleashToken }}
    - name: {{ include "shadowgate.unleashTokenEnv" $ }}
      valueFrom:
        secretKeyRef:
          name: {{ .existingSecret | default (include "shadowgate.secretName" $) }}
          key: {{ .key | default "unleash-token" }}
    {{- end }}
    {{- with .Values.env }}
    {{- toYaml . | nindent 4 }}
    {{- end }}
  {{- end }}
  {{- with .Values.envFrom }}
  envFrom:
    {{- toYaml . | nindent 4 }}
  {{- end }}
  volumeMounts:
    - name: shadowgate-config
      mountPath: {{ include "shadowgate.configDir" . }}
      readOnly: true
    - name: shadowgate-tmp
      mountPath: /tmp
    {{- with .Values.extraVolumeMounts }}
    {{- toYaml . | nindent 4 }}
    {{- end }}
  {{- with .Values.startupProbe }}
  startupProbe:
    {{- toYaml . | nindent 4 }}
  {{- end }}
  {{- with .Values.livenessProbe }}
  livenessProbe:
    {{- toYaml . | nindent 4 }}
  {{- end }}
  {{- with .Values.readinessProbe }}
  readinessProbe:
    {{- toYaml . | nindent 4 }}
  {{- end }}
  {{- with .Values.lifecycle }}
  lifecycle:
    {{- toYaml . | nindent 4 }}
  {{- end }}
  resources:
    {{- toYaml .Values.resources | nindent 4 }}
  securityContext:
    {{- toYaml .Values.securityContext | nindent 4 }}
{{- end }}

{{/*
shadowgate.volumes — list items: the config folder (config.yaml and, with flagsBootstrap,
flags.json, projected from their ConfigMaps: a whole-folder mount, never subPath, so the
kubelet's ..data symlink swap reaches the running process) and the /tmp emptyDir.
*/}}
{{- define "shadowgate.volumes" -}}
- name: shadowgate-config
  projected:
    sources:
      - configMap:
          name: {{ include "shadowgate.configMapName" . }}
      {{- if .Values.flagsBootstrap }}
      - configMap:
          name: {{ include "shadowgate.flagsConfigMapName" . }}
      {{- end }}
- name: shadowgate-tmp
  emptyDir:
    sizeLimit: {{ .Values.tmpVolume.sizeLimit }}
{{- with .Values.extraVolumes }}
{{ toYaml . }}
{{- end }}
{{- end }}

{{/* The app container of sidecar mode: name, image, port, then app.container merged over. */}}
{{- define "shadowgate.appContainer" -}}
{{- $base := dict
  "name" .Values.app.name
  "image" .Values.app.image
  "ports" (list (dict "name" "app" "containerPort" (.Values.app.port | int) "protocol" "TCP")) }}
{{- $container := mergeOverwrite $base (deepCopy .Values.app.container) -}}
- {{- toYaml $container | nindent 2 }}
{{- end }}
