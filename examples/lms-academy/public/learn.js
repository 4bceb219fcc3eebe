// The member page of the demo: signs in with users-permissions, lists the academy's lessons,
// completes them, and hands the member's JWT to <achievements-notifier> (the toasts and bell).
const params = new URLSearchParams(window.location.search);
const theme = params.get('theme');
if (theme === 'dark' || theme === 'light') document.documentElement.dataset.theme = theme;
if (params.get('lang') === 'fr') document.documentElement.lang = 'fr';

const notifier = document.getElementById('notifier');
if (theme === 'dark' || theme === 'light') notifier.setAttribute('theme', theme);
const form = document.getElementById('sign-in');
const lessons = document.getElementById('lessons');
const list = document.getElementById('lesson-list');
const KEY = 'academy-member';

const api = async (method, path, body, jwt) => {
  const res = await fetch(path, {
    method,
    headers: {
      ...(jwt ? { Authorization: `Bearer ${jwt}` } : {}),
      ...(body ? { 'Content-Type': 'application/json' } : {}),
    },
    body: body ? JSON.stringify(body) : undefined,
  });
  const data = await res.json().catch(() => null);
  if (!res.ok) throw new Error(data?.error?.message ?? `HTTP ${res.status}`);
  return data;
};

const showLessons = async (session) => {
  const { data } = await api(
    'GET',
    // In the order they were written: course by course, module by module.
    '/api/lessons?sort=id:asc&populate[module][populate][course][fields][0]=title' +
      '&pagination[pageSize]=100',
    null,
    session.jwt
  );
  list.replaceChildren(
    ...data.map((lesson) => {
      const item = document.createElement('li');
      const title = document.createElement('span');
      const course = lesson.module?.course?.title;
      title.textContent = course ? `${course} · ${lesson.title}` : lesson.title;
      const done = document.createElement('button');
      done.type = 'button';
      done.textContent = 'Complete';
      done.dataset.lesson = lesson.documentId;
      done.addEventListener('click', async () => {
        done.disabled = true;
        try {
          await api('POST', `/api/lessons/${lesson.documentId}/complete`, {}, session.jwt);
          done.textContent = 'Completed ✓';
        } catch (error) {
          done.disabled = false;
          done.textContent = `Retry (${error.message})`;
        }
      });
      item.append(title, done);
      return item;
    })
  );
};

const enter = async (session) => {
  form.hidden = true;
  lessons.hidden = false;
  const member = document.getElementById('member');
  member.textContent = session.username;
  member.hidden = false;
  document.getElementById('sign-out').hidden = false;
  document.getElementById('profile-link').href = `/profile.html?user=${session.id}`;
  notifier.token = session.jwt;
  await showLessons(session);
};

form.addEventListener('submit', async (event) => {
  event.preventDefault();
  const fields = new FormData(form);
  try {
    const { jwt, user } = await api('POST', '/api/auth/local', {
      identifier: fields.get('identifier'),
      password: fields.get('password'),
    });
    const session = { jwt, id: user.id, username: user.username };
    sessionStorage.setItem(KEY, JSON.stringify(session));
    await enter(session);
  } catch (error) {
    document.getElementById('sign-in-error').textContent = error.message;
  }
});

document.getElementById('sign-out').addEventListener('click', () => {
  sessionStorage.removeItem(KEY);
  window.location.reload();
});

const saved = JSON.parse(sessionStorage.getItem(KEY) ?? 'null');
if (saved) enter(saved);
else form.hidden = false;
