// Drives the sandbox with Notion's JavaScript SDK 4.x, whose default Notion-Version is 2022-06-28:
// databases with properties, pages with a database_id parent, the database query. Prints one
// JSON summary line.
import { createRequire } from "node:module";

const require = createRequire(process.env.NOTION_JS_PREFIX + "/");
const { Client, APIResponseError } = require("@notionhq/client");

const notion = new Client({ auth: process.env.SANDBOX_TOKEN, baseUrl: process.env.SANDBOX_URL });
const db = await notion.databases.create({
  parent: { type: "page_id", page_id: process.env.SANDBOX_ROOT },
  title: [{ text: { content: "JS 4" } }],
  properties: {
    Name: { title: {} },
    Rotation: { select: { options: [{ name: "AM" }, { name: "PM" }] } },
    When: { date: {} },
  },
});
for (const [day, rotation] of [["2026-01-07", "AM"], ["2026-01-05", "AM"], ["2026-01-06", "PM"]]) {
  await notion.pages.create({
    parent: { database_id: db.id },
    properties: {
      Name: { title: [{ text: { content: `${day} ${rotation}` } }] },
      Rotation: { select: { name: rotation } },
      When: { date: { start: day } },
    },
  });
}
const ask = {
  database_id: db.id,
  filter: { property: "Rotation", select: { equals: "AM" } },
  sorts: [{ property: "When", direction: "ascending" }],
};
const first = await notion.databases.query({ ...ask, page_size: 1 });
const second = await notion.databases.query({ ...ask, start_cursor: first.next_cursor });
const schema = await notion.databases.update({
  database_id: db.id,
  properties: { Rotation: { name: "Shift" }, Notes: { rich_text: {} } },
});
const page = first.results[0];
const noted = await notion.pages.update({
  page_id: page.id,
  properties: { Notes: { rich_text: [{ text: { content: "swapped" } }] } },
});
const archived = await notion.pages.update({ page_id: page.id, archived: true });
const left = await notion.databases.query({ database_id: db.id });
let errorCode = null;
try {
  await notion.pages.retrieve({ page_id: "00000000-0000-4000-8000-000000000000" });
} catch (error) {
  errorCode = APIResponseError.isAPIResponseError(error) ? error.code : String(error);
}
console.log(
  JSON.stringify({
    defaultVersion: Client.defaultNotionVersion,
    schema: Object.keys(db.properties).sort(),
    parent: page.parent,
    databaseId: db.id,
    listType: first.type,
    pages: [first.results.length, first.has_more, second.results.length, second.has_more],
    dates: [...first.results, ...second.results].map((p) => p.properties.When.date.start),
    renamed: Object.keys(schema.properties).sort(),
    notes: noted.properties.Notes.rich_text[0].plain_text,
    archived: [archived.archived, archived.in_trash],
    left: left.results.length,
    errorCode,
  }),
);
