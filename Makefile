# Entry points for people and CI. Each target is a thin wrapper around an npm script.
.PHONY: run test build preview typecheck bench

run:
	npm start

test:
	npx tsc -p tsconfig.json --noEmit
	npx vitest run

build:
	npm run build

preview:
	npm run preview -- $(ARGS)

typecheck:
	npm run typecheck

bench:
	npm run bench -- $(ARGS)
