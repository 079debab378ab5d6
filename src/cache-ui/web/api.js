// The /cache API as the page calls it: same origin, the operator token as a bearer header
// (never in a URL, so it reaches no access log or browser history), JSON in and out.

const TOKEN_KEY = 'cache-ui.operator-token';

/** The token lives in sessionStorage: this tab only, gone when it closes. */
export const session = {
  token: () => sessionStorage.getItem(TOKEN_KEY),
  save: (token) => sessionStorage.setItem(TOKEN_KEY, token),
  clear: () => sessionStorage.removeItem(TOKEN_KEY),
};

/** A non-2xx answer; `message` is the API's own explanation when it gave one. */
export class ApiError extends Error {
  constructor(status, message) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
  }

  /** The token is missing, wrong, or a tenant's key. */
  get unauthorized() {
    return this.status === 401 || this.status === 403;
  }
}

/**
 * Calls a /cache route; `accept` lists non-2xx statuses whose body is still the answer (health's 503).
 * @param {string} method
 * @param {string} path
 * @param {{ body?: unknown, token?: string | null, accept?: number[] }} [options]
 * @returns {Promise<any>}
 */
export async function callApi(method, path, { body, token = session.token(), accept = [] } = {}) {
  const headers = { accept: 'application/json' };
  if (token) headers.authorization = `Bearer ${token}`;
  if (body !== undefined) headers['content-type'] = 'application/json';
  let response;
  try {
    response = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body), cache: 'no-store' });
  } catch (error) {
    throw new ApiError(0, `The API did not answer (${error instanceof Error ? error.message : String(error)})`);
  }
  const text = await response.text();
  let data = null;
  if (text.length > 0) {
    try {
      data = JSON.parse(text);
    } catch {
      data = null;
    }
  }
  if (response.ok || accept.includes(response.status)) return data;
  throw new ApiError(response.status, errorMessage(response, data));
}

function errorMessage(response, data) {
  const detail = data !== null && typeof data === 'object' ? data.message : undefined;
  const text = Array.isArray(detail) ? detail.join('; ') : typeof detail === 'string' ? detail : response.statusText;
  return `${response.status}: ${text}`;
}

/** `/cache/keys/<key>`: the key is one path segment, so `/`, `?` and `#` in it stay inside it. */
export const keyPath = (key) => `/cache/keys/${encodeURIComponent(key)}`;
