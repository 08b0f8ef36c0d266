import { renderTask, signUpAndLogIn } from './api/testing/walkthrough.ts'
const urls = { auth: 'http://127.0.0.1:18081', tasks: 'http://127.0.0.1:18081' }
const auth = await signUpAndLogIn(urls, 'diag' + Date.now())
for (let i = 0; i < 4; i++) {
  const { task, elapsedMs } = await renderTask(urls, auth, { c: { re: -0.8, im: -0.18 } }, 60000, Number(process.argv[2] ?? 10))
  console.log((elapsedMs / 1000).toFixed(2), 'client')
}
