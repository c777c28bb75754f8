import { ref } from 'vue';

/**
 * How this screen signs in. A wall screen signs in once and stays signed in across reloads
 * and power cycles, so the credential lives in localStorage. A device token (issued by a
 * manager for a kitchen or host screen) or a staff token from `login`.
 */
export interface Credential {
  kind: 'device' | 'staff';
  token: string;
  /** Who is signed in, for the header: the staff member's name, or "device". */
  label: string;
}

const KEY = 'pos.credential';

export function loadCredential(storage: Storage = localStorage): Credential | null {
  try {
    const raw = storage.getItem(KEY);
    if (!raw) return null;
    const c = JSON.parse(raw) as Partial<Credential>;
    if (typeof c.token !== 'string' || !c.token || (c.kind !== 'device' && c.kind !== 'staff')) return null;
    return { kind: c.kind, token: c.token, label: typeof c.label === 'string' ? c.label : c.kind };
  } catch {
    return null;
  }
}

export function saveCredential(c: Credential, storage: Storage = localStorage): void {
  storage.setItem(KEY, JSON.stringify(c));
}

export function clearCredential(storage: Storage = localStorage): void {
  storage.removeItem(KEY);
}

/** The app-wide sign-in, shared by every screen. */
export const credential = ref<Credential | null>(loadCredential());
/** Why the last credential was dropped, shown on the sign-in form. */
export const signOutReason = ref<string | null>(null);

export function signIn(c: Credential): void {
  saveCredential(c);
  signOutReason.value = null;
  credential.value = c;
}

export function signOut(reason: string | null = null): void {
  clearCredential();
  signOutReason.value = reason;
  credential.value = null;
}

interface GraphQLResult<T> {
  data?: T | null;
  errors?: { message: string; extensions?: { code?: string } }[];
}

/** One GraphQL request over HTTP to the same origin. Throws the first error's message. */
export async function request<T>(query: string, variables: Record<string, unknown> = {}, token?: string): Promise<T> {
  const res = await fetch('/graphql', {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify({ query, variables }),
  });
  const body = (await res.json().catch(() => ({}))) as GraphQLResult<T>;
  if (body.errors?.length) throw new Error(body.errors[0]!.message);
  if (!res.ok || !body.data) throw new Error(`The server answered ${res.status}`);
  return body.data;
}

export async function staffLogin(email: string, password: string): Promise<Credential> {
  const data = await request<{ login: { token: string; staff: { name: string; role: string } } }>(
    'mutation Login($email: String!, $password: String!) { login(email: $email, password: $password) { token staff { name role } } }',
    { email, password },
  );
  return { kind: 'staff', token: data.login.token, label: `${data.login.staff.name} (${data.login.staff.role.toLowerCase()})` };
}
