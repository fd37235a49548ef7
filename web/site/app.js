// The public quota board: programmes, their windows and the live places per unit (R5, R10, R12, R16).
const yuan = (fen) => (fen / 100).toLocaleString('zh-CN', { minimumFractionDigits: 0 });
const select = document.getElementById('programme');

function cell(text) {
  const td = document.createElement('td');
  td.textContent = String(text);
  return td;
}

async function getJson(path) {
  const res = await fetch(path);
  if (!res.ok) throw new Error(`${path}: ${res.status}`);
  return res.json();
}

async function show(programmeId) {
  const [programme, board] = await Promise.all([
    getJson(`/v1/programmes/${encodeURIComponent(programmeId)}`),
    getJson(`/v1/programmes/${encodeURIComponent(programmeId)}/quotas`),
  ]);
  // A slower answer for a programme no longer selected must not overwrite the one chosen since.
  if (select.value !== programmeId) return;
  const w = programme.applicationWindow;
  const batches = programme.reviewBatches.map((b) => `${b.opensOn} 至 ${b.closesOn}`).join('；');
  document.getElementById('windows').textContent =
    `申请时间 ${w.opensOn} 至 ${w.closesOn}；审核批次 ${batches}`;
  const body = document.querySelector('#quotas tbody');
  body.replaceChildren(
    ...board.units.map((u) => {
      const tr = document.createElement('tr');
      const total = u.funding.reduce((s, f) => s + f.totalFen, 0);
      tr.append(cell(u.name), cell(u.places), cell(u.claimed), cell(u.waitlisted), cell(yuan(total)));
      return tr;
    }),
  );
  const t = board.totals;
  const foot = document.createElement('tr');
  foot.append(
    cell('总计'),
    cell(t.places),
    cell(t.claimed),
    cell(t.waitlisted),
    cell(yuan(t.funding.reduce((s, f) => s + f.totalFen, 0))),
  );
  document.querySelector('#quotas tfoot').replaceChildren(foot);
  const contacts = document.getElementById('contacts');
  contacts.replaceChildren();
  if (programme.contacts) {
    const h = document.createElement('h2');
    h.textContent = '联系方式';
    const list = document.createElement('ul');
    if (programme.contacts.hotline) {
      const li = document.createElement('li');
      li.textContent = `职工咨询服务热线：${programme.contacts.hotline}`;
      list.append(li);
    }
    for (const p of programme.contacts.people) {
      const li = document.createElement('li');
      li.textContent = `${p.role ? `${p.role} ` : ''}${p.name} ${p.phone}`;
      list.append(li);
    }
    contacts.append(h, list);
  }
}

const { programmes } = await getJson('/v1/programmes');
select.replaceChildren(
  ...programmes.map((p) => {
    const option = document.createElement('option');
    option.value = p.id;
    option.textContent = p.title;
    return option;
  }),
);
select.addEventListener('change', () => show(select.value));
if (programmes.length > 0) await show(select.value);
