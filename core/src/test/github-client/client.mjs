// Drives Kiln's GitHub-compatible deployment statuses with @octokit/rest, unmodified, and checks
// every answer against GitHub's published OpenAPI description of the operation (from
// @octokit/openapi) with a JSON-schema validator. Prints one JSON report on stdout; the Java test
// (GithubClientTest) asserts on it. Inputs come from the environment: KILN_BASE_URL (ending in
// /api/v3), KILN_TOKEN, KILN_OWNER, KILN_REPO, KILN_DEPLOYMENT_ID.
import { readFileSync, readdirSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";

import { Octokit } from "@octokit/rest";
import Ajv from "ajv";
import addFormats from "ajv-formats";

const env = (name) => {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set`);
  return value;
};
const baseUrl = env("KILN_BASE_URL");
const owner = env("KILN_OWNER");
const repo = env("KILN_REPO");
const deployment_id = Number(env("KILN_DEPLOYMENT_ID"));

// --- GitHub's OpenAPI descriptions: api.github.com and the newest GitHub Enterprise Server ---
const require = createRequire(import.meta.url);
const generated = path.join(path.dirname(require.resolve("@octokit/openapi/package.json")), "generated");
const ghes = readdirSync(generated)
  .filter((file) => /^ghes-\d+\.\d+\.json$/.test(file))
  .sort((a, b) => {
    const [, aMajor, aMinor] = a.match(/(\d+)\.(\d+)/).map(Number);
    const [, bMajor, bMinor] = b.match(/(\d+)\.(\d+)/).map(Number);
    return aMajor - bMajor || aMinor - bMinor;
  })
  .pop();
const specs = ["api.github.com.json", ghes].map((file) => ({
  name: file.replace(/\.json$/, ""),
  document: JSON.parse(readFileSync(path.join(generated, file), "utf8")),
}));

const ajv = new Ajv({ strict: false, allErrors: true });
addFormats(ajv);
// GitHub's description gives target_url, log_url and environment_url `format: uri` and also
// `default: ""`, and GitHub answers "" when they were not set; so "" counts as a uri here. No
// other rule is relaxed.
const uri = ajv.formats.uri;
const isUri = typeof uri === "function" ? uri : uri.validate instanceof RegExp ? (s) => uri.validate.test(s) : uri.validate;
ajv.addFormat("uri", (value) => value === "" || isUri(value));

const STATUSES = "/repos/{owner}/{repo}/deployments/{deployment_id}/statuses";
const STATUS = `${STATUSES}/{status_id}`;
// Statuses the operations do not list but every GitHub endpoint can answer.
const COMMON = { 400: "bad_request", 401: "requires_authentication", 403: "forbidden", 404: "not_found" };

function resolve(document, node) {
  while (node && node.$ref) {
    node = node.$ref.slice(2).split("/").reduce((at, key) => at[key.replace(/~1/g, "/").replace(/~0/g, "~")], document);
  }
  return node;
}

function collectSchemas(document, node, into) {
  if (Array.isArray(node)) {
    node.forEach((item) => collectSchemas(document, item, into));
  } else if (node && typeof node === "object") {
    for (const [key, value] of Object.entries(node)) {
      if (key === "$ref" && typeof value === "string" && value.startsWith("#/components/schemas/")) {
        const name = value.slice("#/components/schemas/".length);
        if (!(name in into)) {
          into[name] = document.components.schemas[name];
          collectSchemas(document, into[name], into);
        }
      } else {
        collectSchemas(document, value, into);
      }
    }
  }
}

const compiled = new Map();
function validator(spec, pathKey, method, status) {
  const key = `${spec.name} ${method} ${pathKey} ${status}`;
  if (!compiled.has(key)) {
    const operation = spec.document.paths[pathKey]?.[method];
    if (!operation) throw new Error(`${spec.name} has no ${method} ${pathKey}`);
    let response = resolve(spec.document, operation.responses[String(status)]);
    if (!response && COMMON[status]) response = resolve(spec.document, spec.document.components.responses[COMMON[status]]);
    if (!response) {
      compiled.set(key, null);
    } else {
      const schema = response.content["application/json"].schema;
      const schemas = {};
      collectSchemas(spec.document, schema, schemas);
      compiled.set(key, ajv.compile({ allOf: [schema], components: { schemas } }));
    }
  }
  return compiled.get(key);
}

function schemaErrors(pathKey, method, status, data) {
  const errors = {};
  for (const spec of specs) {
    const validate = validator(spec, pathKey, method, status);
    if (!validate) {
      errors[spec.name] = [`status ${status} is not documented for ${method.toUpperCase()} ${pathKey}`];
    } else {
      errors[spec.name] = validate(data) ? [] : validate.errors.map((e) => `${e.instancePath || "/"} ${e.message} ${JSON.stringify(e.params)}`);
    }
  }
  return errors;
}

// --- The calls ---
const quiet = { debug() {}, info() {}, warn: (...args) => console.error(...args), error: (...args) => console.error(...args) };
const client = (auth) => new Octokit({ auth, baseUrl, userAgent: "kiln-github-client-test", log: quiet });
const octokit = client(env("KILN_TOKEN"));
const calls = [];

async function record(name, pathKey, method, request) {
  let status, data, headers;
  try {
    ({ status, data, headers } = await request);
  } catch (error) {
    if (typeof error.status !== "number" || !error.response) throw error;
    ({ status, data, headers } = error.response);
  }
  calls.push({
    name,
    status,
    data,
    contentType: headers["content-type"] ?? null,
    link: headers.link ?? null,
    location: headers.location ?? null,
    schemaErrors: schemaErrors(pathKey, method, status, data),
  });
  return data;
}

const target = { owner, repo, deployment_id };
await record("list", STATUSES, "get", octokit.rest.repos.listDeploymentStatuses(target));
const created = await record("create", STATUSES, "post", octokit.rest.repos.createDeploymentStatus({
  ...target,
  state: "success",
  log_url: "https://ci.example/runs/42",
  description: "Deployed by an unmodified GitHub client",
  environment: "production",
  environment_url: "https://site.example/",
  auto_inactive: false,
}));
await record("get", STATUS, "get", octokit.rest.repos.getDeploymentStatus({ ...target, status_id: created.id }));
await record("createWithDefaults", STATUSES, "post", octokit.rest.repos.createDeploymentStatus({ ...target, state: "in_progress" }));
await record("listAll", STATUSES, "get", octokit.rest.repos.listDeploymentStatuses({ ...target, per_page: 100 }));
// paginate follows the Link header's rel="next" until there is none.
calls.push(await (async () => {
  const data = await octokit.paginate(octokit.rest.repos.listDeploymentStatuses, { ...target, per_page: 2 });
  return { name: "paginate", status: 200, data, schemaErrors: schemaErrors(STATUSES, "get", 200, data) };
})());
await record("getMissing", STATUS, "get", octokit.rest.repos.getDeploymentStatus({ ...target, status_id: 999999999 }));
await record("listOtherRepo", STATUSES, "get", octokit.rest.repos.listDeploymentStatuses({ ...target, repo: `${repo}-other` }));
await record("createInvalidState", STATUSES, "post", octokit.rest.repos.createDeploymentStatus({ ...target, state: "deployed" }));
await record("createLongDescription", STATUSES, "post",
  octokit.rest.repos.createDeploymentStatus({ ...target, state: "success", description: "x".repeat(141) }));
await record("listWithoutToken", STATUSES, "get", client(undefined).rest.repos.listDeploymentStatuses(target));
await record("listWithBadToken", STATUSES, "get", client("not-a-kiln-token").rest.repos.listDeploymentStatuses(target));

process.stdout.write(JSON.stringify({ specs: specs.map((spec) => spec.name), calls }) + "\n");
