// Talking to the service: JSON over fetch, the access key as a bearer header (never in a URL),
// and one awaited request at a time, so a new question cancels the answer still on its way.

const KEY_STORAGE = "rag-api-key";

export class ApiError extends Error {
  constructor(status, message) {
    super(message);
    this.status = status; // 0: the service could not be reached
  }
}

// The RAG_API_KEY the reader typed, kept for this tab only.
export const accessKey = {
  get: () => sessionStorage.getItem(KEY_STORAGE),
  set: (key) => sessionStorage.setItem(KEY_STORAGE, key),
  clear: () => sessionStorage.removeItem(KEY_STORAGE),
};

async function call(path, init) {
  const headers = new Headers(init.headers || {});
  const key = accessKey.get();
  if (key) headers.set("Authorization", `Bearer ${key}`);
  let response;
  try {
    response = await fetch(path, { ...init, headers });
  } catch (error) {
    if (error.name === "AbortError") throw error;
    throw new ApiError(0, "The service cannot be reached. Check that it is running, then try again.");
  }
  let body = null;
  try {
    body = await response.json();
  } catch {
    body = null; // an error page that is not JSON: the status still says what happened
  }
  if (!response.ok) {
    const message = body && typeof body.error === "string" ? body.error : `error ${response.status}`;
    throw new ApiError(response.status, message);
  }
  return body;
}

let inFlight = null; // the AbortController of the request the page is waiting for

export function request(path, init = {}) {
  if (inFlight) inFlight.abort();
  const controller = new AbortController();
  inFlight = controller;
  return call(path, { ...init, signal: controller.signal }).finally(() => {
    if (inFlight === controller) inFlight = null;
  });
}

// Drop the answer still on its way, if any (a new conversation does not want it).
export function cancel() {
  if (inFlight) inFlight.abort();
}

export function postJson(path, payload) {
  return request(path, {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify(payload),
  });
}

// A request the page does not wait on (the example question): never cancels another.
export function lookup(path) {
  return call(path, {});
}
