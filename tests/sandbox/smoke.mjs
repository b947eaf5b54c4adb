// Drives the sandbox with Notion's official JavaScript SDK; prints one JSON summary line.
import { createRequire } from "node:module";

const require = createRequire(process.env.NOTION_JS_PREFIX + "/");
const { Client, APIResponseError } = require("@notionhq/client");

const notion = new Client({ auth: process.env.SANDBOX_TOKEN, baseUrl: process.env.SANDBOX_URL });
const me = await notion.users.me({});
const db = await notion.databases.create({
  parent: { type: "page_id", page_id: process.env.SANDBOX_ROOT },
  title: [{ text: { content: "JS" } }],
  initial_data_source: {
    properties: { Name: { title: {} }, Rotation: { select: {} }, When: { date: {} } },
  },
});
const sourceId = db.data_sources[0].id;
for (const rotation of ["AM", "PM", "AM"]) {
  await notion.pages.create({
    parent: { type: "data_source_id", data_source_id: sourceId },
    properties: {
      Name: { title: [{ text: { content: rotation } }] },
      Rotation: { select: { name: rotation } },
      When: { date: { start: "2026-01-05T09:00:00", time_zone: "Europe/Paris" } },
    },
  });
}
const query = await notion.dataSources.query({
  data_source_id: sourceId,
  filter: { property: "Rotation", select: { equals: "AM" } },
  page_size: 1,
});
const second = await notion.dataSources.query({
  data_source_id: sourceId,
  filter: { property: "Rotation", select: { equals: "AM" } },
  start_cursor: query.next_cursor,
});
let errorCode = null;
try {
  await notion.pages.retrieve({ page_id: "00000000-0000-4000-8000-000000000000" });
} catch (error) {
  errorCode = APIResponseError.isAPIResponseError(error) ? error.code : String(error);
}
console.log(
  JSON.stringify({
    me: me.type,
    firstPage: query.results.length,
    hasMore: query.has_more,
    secondPage: second.results.length,
    date: second.results[0].properties.When.date.start,
    errorCode,
  }),
);
