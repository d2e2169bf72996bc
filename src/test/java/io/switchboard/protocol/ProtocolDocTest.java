package io.switchboard.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.switchboard.validation.ProtocolSchema;
import io.vertx.core.json.JsonObject;
import io.vertx.json.schema.Draft;
import io.vertx.json.schema.JsonSchema;
import io.vertx.json.schema.JsonSchemaOptions;
import io.vertx.json.schema.OutputFormat;
import io.vertx.json.schema.Validator;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@code docs/protocol.md}, the protocol's reference, against the code: it lists every error code
 * with its HTTP status and every close code, its example frames are frames the server accepts or
 * sends (by the protocol's own schemas), its links into itself lead somewhere, and the README
 * points to it. What it says about behaviour is kept true by review; what can be checked is here.
 */
class ProtocolDocTest {
  private static final Path DOC = Path.of("docs/protocol.md");
  private static final Path README = Path.of("README.md");
  /** A table row's first two cells (the first without its backquotes). */
  private static final Pattern TABLE_ROW =
      Pattern.compile("^\\|\\s*`?([^|`]+?)`?\\s*\\|\\s*([^|]*?)\\s*\\|");

  private static final Pattern ANCHOR_LINK = Pattern.compile("\\]\\(#([^)]+)\\)");

  private static String doc;

  @BeforeAll
  static void read() throws IOException {
    doc = Files.readString(DOC);
  }

  /** The first table after {@code heading}, then {@code after}: first cell to second cell. */
  private static Map<String, String> table(String heading, String after) {
    int start = doc.indexOf(after, doc.indexOf(heading));
    assertTrue(doc.contains(heading) && start >= 0, "no " + after + " under " + heading);
    Map<String, String> rows = new LinkedHashMap<>();
    boolean inTable = false;
    for (String line : doc.substring(start).split("\n")) {
      if (line.startsWith("|")) {
        inTable = true;
        Matcher row = TABLE_ROW.matcher(line);
        if (row.find() && !row.group(1).startsWith("---")) {
          rows.put(row.group(1).trim(), row.group(2).trim());
        }
      } else if (inTable) {
        break;
      }
    }
    return rows;
  }

  @Test
  void everyErrorCodeIsListedWithItsHttpStatus() {
    Map<String, String> rows = table("## 4. Errors and close codes", "| code | HTTP | when |");
    Map<String, String> expected = new LinkedHashMap<>();
    Map<String, String> listed = new LinkedHashMap<>();
    for (ErrorCode code : ErrorCode.values()) {
      expected.put(code.wireName(), String.valueOf(code.httpStatus()));
    }
    rows.forEach((code, status) -> {
      if (!code.equals("code")) {
        listed.put(code, status);
      }
    });
    assertEquals(expected, listed);
  }

  @Test
  void everyCloseCodeIsListed() {
    Map<String, String> rows = table("## 4. Errors and close codes", "| code | when |");
    Set<String> expected = new TreeSet<>();
    for (CloseCode code : CloseCode.values()) {
      expected.add(String.valueOf(code.code()));
    }
    Set<String> listed = new TreeSet<>(rows.keySet());
    listed.remove("code");
    assertEquals(expected, listed);
  }

  @Test
  void exampleFramesMatchTheProtocolSchemas() {
    ProtocolSchema clientFrames = ProtocolSchema.load();
    JsonObject serverFrame = ProtocolSchema.resource("protocol/server-frame.schema.json");
    JsonSchemaOptions options = new JsonSchemaOptions()
        .setDraft(Draft.DRAFT202012)
        .setBaseUri(serverFrame.getString("$id"))
        .setOutputFormat(OutputFormat.Basic);
    Validator serverFrames = Validator.create(JsonSchema.of(serverFrame.copy()), options);
    JsonObject errorBody = serverFrame.copy().put("$ref", "#/$defs/errorBody");
    errorBody.remove("oneOf");
    Validator errorBodies = Validator.create(JsonSchema.of(errorBody), options);

    List<String> failures = new ArrayList<>();
    int checked = 0;
    for (String line : jsonExampleLines()) {
      JsonObject example = new JsonObject(line);
      checked++;
      if (example.containsKey("type")) {
        String type = example.getString("type");
        boolean client = clientFrames.knowsClientType(type)
            && clientFrames.validateClientFrame(type, example).isEmpty();
        boolean server = serverFrames.validate(example).getValid();
        if (!client && !server) {
          failures.add("neither a client nor a server frame: " + line);
        }
      } else if (example.containsKey("code") && !errorBodies.validate(example).getValid()) {
        failures.add("not an error body: " + line);
      }
    }
    assertTrue(checked >= 25, "example lines checked: " + checked);
    assertTrue(failures.isEmpty(), String.join("\n", failures));
  }

  /** Each line of the document's {@code json} code blocks that holds one JSON object. */
  private static List<String> jsonExampleLines() {
    List<String> lines = new ArrayList<>();
    boolean inJson = false;
    for (String line : doc.split("\n")) {
      if (line.startsWith("```")) {
        inJson = line.equals("```json");
      } else if (inJson && line.startsWith("{")) {
        lines.add(line);
      }
    }
    return lines;
  }

  @Test
  void linksWithinTheDocumentLeadToItsHeadings() {
    Set<String> anchors = new TreeSet<>();
    for (String line : doc.split("\n")) {
      if (line.startsWith("#")) {
        anchors.add(slug(line.replaceFirst("^#+\\s*", "")));
      }
    }
    Set<String> broken = new TreeSet<>();
    Matcher link = ANCHOR_LINK.matcher(doc);
    int links = 0;
    while (link.find()) {
      links++;
      if (!anchors.contains(link.group(1))) {
        broken.add(link.group(1));
      }
    }
    assertTrue(links >= 20, "links found: " + links);
    assertTrue(broken.isEmpty(), "links to no heading: " + broken + "; headings: " + anchors);
  }

  /** A heading's anchor as GitHub makes it: lower case, punctuation dropped, spaces to dashes. */
  private static String slug(String heading) {
    return heading.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9 _-]", "").replace(' ', '-');
  }

  @Test
  void theReadmePointsToThisDocumentAndNotOutsideTheRepository() throws IOException {
    String readme = Files.readString(README);
    assertTrue(readme.contains("](docs/protocol.md)"), "README links docs/protocol.md");
    assertFalse(readme.contains("../shared/"), "README links a file outside the repository");
    assertTrue(doc.startsWith("# ") && doc.contains("**Protocol version 1.**"), "versioned");
  }
}
