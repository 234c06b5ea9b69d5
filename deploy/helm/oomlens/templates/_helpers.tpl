{{- define "oomlens.labels" -}}
app.kubernetes.io/name: oomlens
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
{{- end -}}
{{- define "oomlens.selector" -}}
app.kubernetes.io/name: oomlens
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end -}}
