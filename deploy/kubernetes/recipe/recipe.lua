-- The example recipe of job.yaml: applies the ConfigMap unidesk-hello into the pod's own
-- namespace (kube.apply defaults to it: the service account's namespace), which the Role
-- unidesk-apply allows. With --var namespace=OTHER it applies into OTHER instead: job.yaml's
-- grant (kube.apply:<its namespace>/*) refuses that (exit 3), and with a wider grant the Role
-- does (the API answers 403).
local kube = require "unidesk.kube"
local ns = unidesk.vars.namespace
kube.apply({ apiVersion = "v1", kind = "ConfigMap",
             metadata = { name = "unidesk-hello", namespace = ns },
             data = { greeting = unidesk.vars.greeting or "hello from unidesk" } })
print("applied ConfigMap unidesk-hello" .. (ns and (" in " .. ns) or ""))
