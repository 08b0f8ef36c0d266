/** Base URLs of the auth routes and the task routes; the same URL when one process serves both. */
export interface ApiUrls {
  auth: string
  tasks: string
}

export interface TaskBody {
  id: string
  state: string
  error?: string
  progress: { framesDone: number; framesTotal: number }
  video?: { url: string; expiresAt: string; bytes: number }
}

async function expectStatus(response: Response, status: number, step: string): Promise<void> {
  if (response.status !== status) {
    throw new Error(
      `${step}: expected HTTP ${status}, got ${response.status}: ${await response.text()}`,
    )
  }
}

/** Signs up a new user and logs in, over HTTP. Returns the Authorization header. */
export async function signUpAndLogIn(
  urls: ApiUrls,
  username: string,
): Promise<Record<string, string>> {
  const headers = { 'Content-Type': 'application/json' }
  const body = JSON.stringify({ username, password: 'correct horse battery staple' })

  const signup = await fetch(`${urls.auth}/v1/auth/signup`, { method: 'POST', headers, body })
  await expectStatus(signup, 201, 'sign-up')
  const login = await fetch(`${urls.auth}/v1/auth/login`, { method: 'POST', headers, body })
  await expectStatus(login, 200, 'login')

  const { accessToken } = (await login.json()) as { accessToken: string }
  return { Authorization: `Bearer ${accessToken}` }
}

/** Posts `spec` and polls the task until it leaves `queued` and `running`. */
export async function renderTask(
  urls: ApiUrls,
  auth: Record<string, string>,
  spec: unknown,
  timeoutMs = 300_000,
  pollMs = 50,
): Promise<{ task: TaskBody; elapsedMs: number }> {
  const started = performance.now()
  const post = await fetch(`${urls.tasks}/v1/tasks`, {
    method: 'POST',
    headers: { ...auth, 'Content-Type': 'application/json' },
    body: JSON.stringify(spec),
  })
  await expectStatus(post, 202, 'task submission')
  const location = post.headers.get('location')
  if (location === null) throw new Error('task submission returned no Location header')

  const deadline = Date.now() + timeoutMs
  for (;;) {
    const response = await fetch(`${urls.tasks}${location}`, { headers: auth })
    await expectStatus(response, 200, 'task poll')
    const task = (await response.json()) as TaskBody
    if (task.state !== 'queued' && task.state !== 'running') {
      return { task, elapsedMs: performance.now() - started }
    }
    if (Date.now() > deadline) throw new Error(`task still ${task.state} after ${timeoutMs} ms`)
    await new Promise((resolve) => setTimeout(resolve, pollMs))
  }
}
