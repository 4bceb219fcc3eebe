// Data the benchmarks need, created through Strapi (small) or raw knex (large).
export const USER_UID = 'plugin::users-permissions.user';

/** Creates `n` confirmed members with the Authenticated role through the query engine (fires
 * the users-permissions lifecycles, like a registration) and returns { id, jwt }. */
export const createMembers = async (strapi, n, prefix = 'm') => {
  const role = await strapi.db
    .query('plugin::users-permissions.role')
    .findOne({ where: { type: 'authenticated' } });
  const jwt = strapi.plugin('users-permissions').service('jwt');
  const out = [];
  const tag = Math.random().toString(36).slice(2, 7);
  for (let i = 0; i < n; i++) {
    const username = `${prefix}${tag}${i}`;
    const u = await strapi.db.query(USER_UID).create({
      data: {
        username,
        email: `${username}@bench.test`,
        provider: 'local',
        confirmed: true,
        blocked: false,
        role: role.id,
        password: 'x',
      },
    });
    // issue() returns a promise in users-permissions' 'refresh' token mode, a string otherwise.
    out.push({ id: u.id, jwt: await jwt.issue({ id: u.id }) });
  }
  return out;
};

/** Published courses → modules → lessons through the document service (like an editor); modules
 * through the academy's catalogue service, whose comment says why (on PostgreSQL, Strapi's
 * publish of a module issues concurrent queries on one connection). */
export const createCourses = async (strapi, { courses = 1, modules = 2, lessons = 5 } = {}) => {
  const docs = (uid) => strapi.documents(uid);
  const lessonIds = [];
  const tag = Math.random().toString(36).slice(2, 7);
  for (let c = 0; c < courses; c++) {
    const title = `Bench course ${tag} ${c}`;
    const course = await docs('api::course.course').create({
      data: { title, slug: `bench-${tag}-${c}` },
      status: 'published',
    });
    for (let m = 0; m < modules; m++) {
      const mod = await strapi.service('api::module.catalogue').createPublished({
        title: `${title} m${m}`,
        position: m + 1,
        course: course.documentId,
      });
      for (let l = 0; l < lessons; l++) {
        const lesson = await docs('api::lesson.lesson').create({
          data: { title: `L${m}.${l}`, body: 'Read me.', position: l + 1, module: mod.documentId },
          status: 'published',
        });
        lessonIds.push(lesson.documentId);
      }
    }
  }
  return lessonIds;
};
