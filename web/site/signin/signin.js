// The local stand-in for the deployment's sign-in (architecture.md §6): asks the local gateway for a
// dev token for the account described here, keeps it for this browser tab only, and goes back to the
// page that sent the user here. It exists only where `/runtime-config.json` says `auth.kind: "dev"`.
const SESSION_KEY = 'edu-subsidy.session';

const form = document.getElementById('signin');
const error = document.getElementById('error');
const params = new URLSearchParams(location.search);
const returnTo = params.get('returnTo');
// Only a path on this origin: never an absolute URL that would hand the token elsewhere.
const target = returnTo?.startsWith('/') && !returnTo.startsWith('//') ? returnTo : '/m/';
const role = params.get('role');
if (role) document.getElementById('role').value = role;

form.addEventListener('submit', async (event) => {
  event.preventDefault();
  error.textContent = '';
  const data = new FormData(form);
  const sub = String(data.get('sub') ?? '').trim();
  const name = String(data.get('name') ?? '').trim();
  const org = String(data.get('org') ?? '').trim();
  const chosenRole = String(data.get('role'));
  if (!sub) {
    error.textContent = '请填写用户标识';
    document.getElementById('sub').focus();
    return;
  }
  if (chosenRole !== 'worker' && !org) {
    error.textContent = '审核员和管理员须填写组织';
    document.getElementById('org').focus();
    return;
  }
  const body = {
    sub,
    role: chosenRole,
    ...(chosenRole !== 'worker' ? { org } : {}),
    ...(name ? { name } : {}),
  };
  try {
    const res = await fetch('/v1/dev/token', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    const answer = await res.json();
    if (!res.ok) {
      error.textContent = answer?.error?.message ?? `登录失败（${res.status}）`;
      return;
    }
    sessionStorage.setItem(
      SESSION_KEY,
      JSON.stringify({ token: answer.token, sub, name: name || sub, role: chosenRole, org: body.org }),
    );
    location.assign(target);
  } catch {
    error.textContent = '网络异常，请稍后重试';
  }
});
