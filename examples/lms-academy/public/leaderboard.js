// The academy's leaderboards: the site board and one per course. The member signed in on
// /learn.html (sessionStorage, same tab) is handed to every board, which then highlights them.
const params = new URLSearchParams(window.location.search);
const theme = params.get('theme');
if (theme === 'dark' || theme === 'light') document.documentElement.dataset.theme = theme;
const french = params.get('lang') === 'fr';
if (french) document.documentElement.lang = 'fr';

const session = JSON.parse(sessionStorage.getItem('academy-member') ?? 'null');
const boards = () => document.querySelectorAll('achievements-leaderboard');
const prepare = (board) => {
  if (theme === 'dark' || theme === 'light') board.setAttribute('theme', theme);
  if (session) board.token = session.jwt;
};

if (french) {
  document.title = 'Classement · LMS Academy';
  document.getElementById('title').textContent = 'Classement';
  document.getElementById('courses-title').textContent = 'Par cours';
  document.querySelector('a[aria-current="page"]').textContent = 'Classement';
}
if (session) {
  const member = document.getElementById('member');
  member.textContent = session.username;
  member.hidden = false;
}
boards().forEach(prepare);

const showCourses = async () => {
  const res = await fetch('/api/courses?sort=id:asc&fields[0]=title&pagination[pageSize]=50');
  if (!res.ok) return;
  const { data } = await res.json();
  // No course yet (a fresh academy): no empty section either.
  document.getElementById('courses').parentElement.hidden = data.length === 0;
  document.getElementById('courses').replaceChildren(
    ...data.map((course) => {
      const section = document.createElement('section');
      section.className = 'course';
      const title = document.createElement('h2');
      title.textContent = course.title;
      const board = document.createElement('achievements-leaderboard');
      board.setAttribute('board', `course:${course.documentId}`);
      board.setAttribute('period', 'all');
      board.setAttribute('page-size', '5');
      board.setAttribute('api-url', '/api/achievements');
      prepare(board);
      section.append(title, board);
      return section;
    })
  );
};
showCourses();
