# Entry points for people and CI. Each target is a thin wrapper around an npm script.
.PHONY: run test build preview typecheck bench

# node runs directly, without npm or tsx in between, so that Ctrl-C reaches it once and it can
# finish or hand back the current task before it exits.
run:
	node --import tsx api/standalone.ts

test:
	npm run lint
	npx vitest run

build:
	npm run build

preview:
	npm run preview -- $(ARGS)

typecheck:
	npm run typecheck

bench:
	npm run bench -- $(ARGS)

# Containers and the local Kind cluster; deploy/README.md walks through them. No target here
# runs in CI: they need Docker, Kind and a cluster.
.PHONY: images kind-up kind-load deploy manifests kind-down

# The Kubernetes manifests name exactly these images, and Kind nodes never pull them.
API_IMAGE := fractal-api:dev
WORKER_IMAGE := fractal-worker:dev
KIND_CLUSTER := fractal
KIND_OVERLAY := deploy/k8s/overlays/kind
NAMESPACE := fractal

images:
	docker build -f deploy/docker/Dockerfile --target api -t $(API_IMAGE) .
	docker build -f deploy/docker/Dockerfile --target worker -t $(WORKER_IMAGE) .

kind-up:
	kind create cluster --config kind-cluster.yaml

kind-load:
	kind load docker-image --name $(KIND_CLUSTER) $(API_IMAGE) $(WORKER_IMAGE)

# The bucket Job is deleted first because a Job's pod template cannot change in place; it is
# safe to run again. The worker's ScaledObject needs KEDA's custom resources.
deploy:
	@kubectl get crd scaledobjects.keda.sh >/dev/null 2>&1 || { \
	  echo "KEDA is not installed in this cluster: install it first (deploy/README.md)"; exit 1; }
	kubectl delete job minio-setup --namespace $(NAMESPACE) --ignore-not-found
	kubectl apply -k $(KIND_OVERLAY)
	for set in postgres redis minio; do \
	  kubectl rollout status statefulset/$$set --namespace $(NAMESPACE) --timeout=5m || exit 1; \
	done
	kubectl wait job/minio-setup --for=condition=complete --namespace $(NAMESPACE) --timeout=5m
	for deployment in traefik api-auth api-tasks worker; do \
	  kubectl rollout status deployment/$$deployment --namespace $(NAMESPACE) --timeout=5m || exit 1; \
	done

manifests:
	@kubectl kustomize $(KIND_OVERLAY)

kind-down:
	kind delete cluster --name $(KIND_CLUSTER)
