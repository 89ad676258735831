import Testing
@testable import UnideskData

@Suite struct KubernetesManifestTests {
    static let manifest = """
        ---
        # Web tier
        apiVersion: apps/v1
        kind: Deployment
        metadata:
          name: web
          namespace: shop
          labels:
            app: web
            tier: "frontend"
          annotations:
            deployment.kubernetes.io/revision: "3"
            example.com/endpoint: "http://web:8080/health"
            note: rolled out at 10:30 by ci
        spec:
          replicas: 3
          selector:
            matchLabels:
              app: web
          template:
            metadata:
              labels:
                app: web
            spec:
              containers:
                - name: web
                  image: registry.example.com/web:1.25.3
                  args: ["--port", "8080", "--verbose"]
                  ports:
                    - name: http
                      containerPort: 8080
                      protocol: TCP
                  env:
                    - name: FEATURE_FLAG
                      value: "true"
                    - name: WORKERS
                      value: "4"
                    - name: EMPTY
                      value: ""
                  resources:
                    limits: {cpu: 500m, memory: 256Mi}
              volumes:
                - name: config
                  configMap:
                    name: web-config
                    defaultMode: 0644
        ---
        ---
        apiVersion: v1
        kind: Service
        metadata:
          name: web
        spec:
          type: ClusterIP
          ports:
            - name: "8080"   # a quoted number used as a port name
              port: 80
              targetPort: http
          selector:
            app: web
        ---
        apiVersion: v1
        kind: ConfigMap
        metadata:
          name: web-config
        data:
          LOG_LEVEL: debug
          retries: "5"
          nginx.conf: |
            server {
              listen 8080;
              # comment inside the block stays
              location / { return 200; }
            }
          empty.txt: ""
        """

    @Test func multiDocumentManifestDecodesExactly() throws {
        let documents = try YAML.decodeAll(Self.manifest)
        try #require(documents.count == 3)
        let (deployment, service, configMap) = (documents[0], documents[1], documents[2])

        #expect(deployment["kind"] == .string("Deployment"))
        #expect(deployment["apiVersion"] == .string("apps/v1"))
        #expect(deployment["metadata"]?["labels"] == object(("app", .string("web")), ("tier", .string("frontend"))))
        #expect(deployment["metadata"]?["annotations"] == object(
            ("deployment.kubernetes.io/revision", .string("3")),
            ("example.com/endpoint", .string("http://web:8080/health")),
            ("note", .string("rolled out at 10:30 by ci"))))
        #expect(deployment["spec"]?["replicas"] == .int(3))
        let container = try #require(deployment["spec"]?["template"]?["spec"]?["containers"]?[0])
        #expect(container == object(
            ("name", .string("web")),
            ("image", .string("registry.example.com/web:1.25.3")),
            ("args", .array([.string("--port"), .string("8080"), .string("--verbose")])),
            ("ports", .array([object(("name", .string("http")), ("containerPort", .int(8080)),
                                     ("protocol", .string("TCP")))])),
            ("env", .array([
                object(("name", .string("FEATURE_FLAG")), ("value", .string("true"))),
                object(("name", .string("WORKERS")), ("value", .string("4"))),
                object(("name", .string("EMPTY")), ("value", .string(""))),
            ])),
            ("resources", object(("limits", object(("cpu", .string("500m")), ("memory", .string("256Mi")))))),
        ))
        #expect(deployment["spec"]?["template"]?["spec"]?["volumes"]?[0]?["configMap"]
            == object(("name", .string("web-config")), ("defaultMode", .int(0o644))))

        #expect(service == object(
            ("apiVersion", .string("v1")),
            ("kind", .string("Service")),
            ("metadata", object(("name", .string("web")))),
            ("spec", object(
                ("type", .string("ClusterIP")),
                ("ports", .array([object(("name", .string("8080")), ("port", .int(80)), ("targetPort", .string("http")))])),
                ("selector", object(("app", .string("web")))))),
        ))

        #expect(configMap["data"] == object(
            ("LOG_LEVEL", .string("debug")),
            ("retries", .string("5")),
            ("nginx.conf", .string("server {\n  listen 8080;\n  # comment inside the block stays\n  location / { return 200; }\n}\n")),
            ("empty.txt", .string(""))))
    }

    @Test func manifestSurvivesReencoding() throws {
        let documents = try YAML.decodeAll(Self.manifest)
        let reencoded = try YAML.encodeAll(documents)
        #expect(try YAML.decodeAll(reencoded) == documents)
        // JSON is what the API server receives; the same values must survive that path too.
        for document in documents {
            #expect(try JSON.decode(JSON.encode(document, options: .init(sortKeys: false))) == document)
        }
    }

    @Test func reencodedManifestLooksLikeKubectlOutput() throws {
        let service = try YAML.decodeAll(Self.manifest)[1]
        let expected = """
            apiVersion: v1
            kind: Service
            metadata:
              name: web
            spec:
              type: ClusterIP
              ports:
              - name: '8080'
                port: 80
                targetPort: http
              selector:
                app: web

            """
        #expect(try YAML.encode(service) == expected)
    }
}
