// typedoc plugin: an inline code span that a doc comment wraps over two lines (a long C prototype)
// is one span, as Markdown has it. typedoc ends a comment's summary at the first code part that
// holds a line break (meant for code blocks), which left those functions without a summary in the
// module lists; joining the span's lines keeps their prototype as the summary.
import { Converter } from "typedoc";

/** @param {import("typedoc").Comment | undefined} comment */
function joinInlineCode(comment) {
  for (const part of comment?.summary ?? []) {
    if (part.kind === "code" && !part.text.startsWith("```")) part.text = part.text.replace(/\s*\r?\n\s*/g, " ");
  }
}

/** @param {import("typedoc").Application} app */
export function load(app) {
  app.converter.on(Converter.EVENT_RESOLVE_BEGIN, (context) => {
    for (const refl of Object.values(context.project.reflections)) {
      joinInlineCode(refl.comment);
      for (const sig of refl.signatures ?? []) joinInlineCode(sig.comment);
    }
  });
}
