import LuaRuntime
import UnideskBindings
import UnideskCore

/// What the reference's examples run against (ReferenceExampleTests): fixture files in the
/// recipe's directory, the variables and environment the examples name, and fakes of the
/// families that need infrastructure, each returning the shape its spec documents. A fake
/// checks its arguments against the spec first, as the real primitive does, so an example
/// cannot pass by calling a fake in a way the real function refuses.
enum ExampleFakes {
    /// `require "unidesk.examplecheck"`: `<family>__<name>(...)` checks arguments against the spec.
    static let argumentCheck = HostLibrary(name: "examplecheck", summary: "", specs: []) { _ in
        Libraries.all.flatMap { lib in
            lib.specs.filter { $0.shape == .function }.map { spec in
                HostFunction("unidesk.examplecheck.\(lib.name)__\(spec.name)") { args in
                    do throws(HostError) { try spec.check(args) } catch {
                        guard case .argument(let n, let why) = error else { throw error }
                        throw HostError.message("bad argument #\(n) to '\(spec.fullName)' (\(why))")
                    }
                    return []
                }
            }
        }
    }


    static let vars = [("token", "t0ken"), ("version", "1.4.2")]
    static let env = ["CI_COMMIT_SHA": "3f2a9c1", "DATABASE_URL": "postgres://app@db/shop", "ADMIN_DSN": "postgres://admin@db/postgres",
                      "MIGRATE_ADMIN_DSN": "postgres://admin@db/postgres"]
    static let secretEnv = ["DATABASE_URL", "ADMIN_DSN", "MIGRATE_ADMIN_DSN"]

    static let compose = """
        services:
          web:
            image: 127.0.0.1:5000/unidesk/app:${TAG:-1.4.2}
        """
    static let deployment = """
        apiVersion: apps/v1
        kind: Deployment
        metadata: { name: web, namespace: shop }
        spec: { replicas: 2 }
        """

    static let files: [String: String] = [
        "compose.yaml": compose,
        "previous/compose.yaml": compose,
        "deploy/compose.yaml": compose,
        "deploy/web.yaml": deployment,
        "manifests.yaml": deployment + "\n---\napiVersion: v1\nkind: Service\nmetadata: { name: web, namespace: shop }\n",
        "desired.json": #"{"apps": [{"name": "shop", "version": "1.4.2"}]}"#,
        "hosts.txt": "web-1\nweb-2\n",
        "schema.sql": "CREATE TABLE users (id bigint PRIMARY KEY, email text);\n",
        "migrations/001_users.up.sql": "CREATE TABLE users (id bigint PRIMARY KEY, email text);\n",
        "migrations/004_plan.up.sql": "ALTER TABLE users ADD COLUMN plan text;\n",
        "fixtures/registry.recording.json": """
            {"family": "registry", "recorded_by": "unidesk test --record", "calls": [
              {"fn": "head", "args": ["127.0.0.1:5000/unidesk/app:1.4.2"],
               "results": [{"exists": true, "status": 200, "ref": "127.0.0.1:5000/unidesk/app:1.4.2",
                            "digest": "sha256:9f87902724a220564759fc7c1505ae8e3e2493e5b00da04b5e66bd0edf3371b3", "size": 428}]}
            ]}
            """,
    ]

    /// Installed before the examples' require lines, so `require "unidesk.http"` gets the fake.
    static let install = #"""
        local test = require "unidesk.test"
        local real_json, real_yaml, real_migrate = require "unidesk.json", require "unidesk.yaml", require "unidesk.migrate"
        local check = require "unidesk.examplecheck"
        local function fake(family, impl)
          local checked = {}
          for name, f in pairs(impl) do
            local c = assert(check[family .. "__" .. name], "no description of " .. family .. "." .. name)
            checked[name] = function(...) c(...); return f(...) end
          end
          return test.fake(family, checked)
        end

        local response_mt = { __index = { json = function(self) return real_json.decode(self.body) end } }
        local function response(url, body)
          return setmetatable({ status = 200, headers = { ["content-type"] = "application/json", ["content-length"] = tostring(#body) },
            body = body, truncated = false, url = url }, response_mt)
        end
        local health = '{"deploy": {"commit": "3f2a9c1"}}'
        fake("http", {
          get = function(url) return response(url, health) end,
          head = function(url) return response(url, "") end,
          wait = function(url, options)
            local r = response(url, health)
            local ready = options and options["until"] or function(x) return x.status < 400 end
            if not ready(r) then error({ kind = "timeout", message = "http.wait: " .. url .. " not ready" }) end
            return r
          end,
          post = function(url) return response(url, '{"ok": true}') end,
          put = function(url) return response(url, '{"ok": true}') end,
          patch = function(url) return response(url, '{"ok": true}') end,
          delete = function(url) return response(url, "") end,
          request = function(r) return response(r.url, '{"ok": true}') end,
        })

        local function manifest(ref)
          return { exists = true, status = 200, ref = ref, digest = "sha256:" .. string.rep("9f", 32),
            media_type = "application/vnd.oci.image.manifest.v1+json", size = 428 }
        end
        fake("registry", {
          head = manifest,
          head_many = function(refs) local out = {} for i, ref in ipairs(refs) do out[i] = manifest(ref) end return out end,
        })

        fake("compose", {
          recreate = function(args)
            local tag = args.env and args.env.TAG or "1.4.2"
            return { id = "c0ffee", name = args.project .. "-" .. args.service .. "-1", service = args.service, project = args.project,
              image = "127.0.0.1:5000/unidesk/app:" .. tag, image_id = "sha256:" .. string.rep("cd", 32),
              labels = { ["org.opencontainers.image.revision"] = tag }, status = "running", health = "healthy" }
          end,
        })

        local function object(kind, name, namespace)
          return { apiVersion = "apps/v1", kind = kind, metadata = { name = name, namespace = namespace },
            spec = { replicas = 2 }, status = { readyReplicas = 2, replicas = 2 } }
        end
        fake("kube", {
          get = function(a) return object(a.kind, a.name, a.namespace) end,
          apply = function(objects) return type(objects) == "string" and real_yaml.decode_all(objects) or objects end,
          wait = function(a) return object(a.kind, a.name, a.namespace) end,
        })

        local function snapshot_manifest(args)
          return { app = args.app, id = "20261207T140000Z", created_at = "2026-12-07T14:00:00Z", meta = args.meta or {},
            volumes = { { name = "shop_data", kind = "volume", source = "/var/lib/volumes/shop_data", bytes = 4096, files = 3, entries = 4, sha256 = string.rep("ab", 32) } },
            warnings = {} }
        end
        fake("snapshot", {
          take = snapshot_manifest,
          restore = function(args) return { app = args.app, id = "20261207T140000Z", volumes = { "shop_data" }, meta = {} } end,
        })

        local function connection()
          local c = { database = "shop", user = "app", server = "16.4" }
          function c:exec() return { command = "UPDATE 1", affected = 1, rows = {} } end
          function c:query() return { { id = 1, email = "ada@example.com" } } end
          function c:exec_many(sql, rows) return { command = "INSERT", statements = #rows, affected = #rows } end
          function c:script() return { statements = 1, transactional = true } end
          function c:tx(fn) return fn(self) end
          function c:close() end
          return c
        end
        fake("pg", {
          connect = function() return connection() end,
          exec = function() return { command = "SELECT 1", rows = { { ["?column?"] = 1 } } } end,
        })

        local function smoke_report()
          return { ok = true, applied = 1, migrations = 1, database = "unidesk_smoke_1", problems = {} }
        end
        fake("migrate", {
          smoke = smoke_report,
          gate = smoke_report,
          format = real_migrate.format,
          from_vars = real_migrate.from_vars,
          scan = real_migrate.scan,
        })

        """#
}
