// The demo profile page's only script: reads ?user= (and ?theme=), adds <achievements-card>, and
// moves it to the zone of the page that matches the position configured in the admin.
const params = new URLSearchParams(window.location.search);
const user = params.get('user');
const theme = params.get('theme');
if (theme === 'dark' || theme === 'light') document.documentElement.dataset.theme = theme;

const zones = {
  header: document.getElementById('zone-header'),
  side: document.getElementById('zone-side'),
  main: document.getElementById('zone-main'),
};

if (!user) {
  document.getElementById('pick').hidden = false;
} else {
  const card = document.createElement('achievements-card');
  card.id = 'achievements';
  card.setAttribute('user-id', user);
  card.setAttribute('api-url', '/api/achievements');
  if (theme) card.setAttribute('theme', theme);
  card.addEventListener('achievements-load', (event) => {
    const { card: data } = event.detail;
    document.getElementById('member-name').textContent = data.user.username;
    document.getElementById('avatar').textContent = data.user.username.slice(0, 1).toUpperCase();
    document.title = `${data.user.username} · LMS Academy`;
    const zone = zones[data.position] || zones.side;
    if (card.parentElement !== zone) {
      // The header zone shows the card under the name, the others first in their column.
      if (zone === zones.header) zone.append(card);
      else zone.prepend(card);
    }
    document.body.dataset.cardPosition = data.position;
  });
  zones.side.prepend(card);
}

// A member signed in on /learn.html sees their bell and toasts here too.
const session = JSON.parse(sessionStorage.getItem('academy-member') ?? 'null');
if (session) {
  const notifier = document.createElement('achievements-notifier');
  notifier.setAttribute('api-url', '/api/achievements');
  if (theme) notifier.setAttribute('theme', theme);
  notifier.token = session.jwt;
  document.getElementById('site').append(notifier);
}
