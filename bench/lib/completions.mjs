// The write load of P1 and P6: batches of lesson completions through the academy's member API.

/**
 * Successive batches, each from `perMembers` members not used before, each member completing
 * every lesson (lessons in the outer loop, so concurrent requests are spread over members).
 * `next()` returns { members, requests }.
 */
export const completionBatches = (lessonIds, members, perMembers) => {
  let cursor = 0;
  return {
    next() {
      const block = members.slice(cursor, cursor + perMembers);
      cursor += perMembers;
      const requests = [];
      for (const l of lessonIds)
        for (const m of block)
          requests.push({
            method: 'POST',
            path: `/api/lessons/${l}/complete`,
            headers: { authorization: `Bearer ${m.jwt}` },
            body: {},
          });
      return { members: block, requests };
    },
  };
};
