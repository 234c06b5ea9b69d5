package dev.oomlens.k8s;

import dev.oomlens.core.model.Problem;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.KubernetesResource;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import tools.jackson.core.JacksonException;
import tools.jackson.core.JsonParser;
import tools.jackson.core.JsonToken;
import tools.jackson.core.StreamReadFeature;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.MappingIterator;
import tools.jackson.databind.ObjectMapper;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;
import tools.jackson.databind.util.TokenBuffer;
import tools.jackson.dataformat.yaml.YAMLMapper;

/*
 * kubectl writes a List ({"apiVersion":"v1","items":[...],"kind":"List"}) with its items first, so
 * the JSON reader streams: each item is parsed, converted and handed on alone, and a List of
 * 150,000 pods never sits in memory as one tree. YAML (kubectl -o yaml, manifests, helm template)
 * is read document by document. A file cut short or damaged keeps every object handed on before
 * the fault, and the fault is a problem naming the file and line.
 *
 * Jackson 3 fails on trailing tokens by default; several JSON values in one file (kubectl get a
 * -o json; kubectl get b -o json >> f) are legitimate input, so the mapper reads values one after
 * another, as fabric8's Jackson 2 defaults did.
 */

/** Reads {@code kubectl get -o json|yaml} output and manifests: files or directories of them. */
public final class DumpReader {
  /** Receives what each file held: its objects, and its problems. */
  public interface Sink {
    void object(HasMetadata object, String file);

    void problem(Problem problem);

    /** Called once per file read, after its objects and problems. */
    void fileRead(String file);
  }

  private static final ObjectMapper JSON =
      JsonMapper.builder()
          .disable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
          .enable(StreamReadFeature.INCLUDE_SOURCE_IN_LOCATION)
          .build();
  private static final ObjectMapper YAML =
      YAMLMapper.builder().disable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS).build();

  private final Serialization serialization =
      new Serialization(SkippedFields.addTo(JsonMapper.builder()).build());

  /*
   * fabric8's serialization configures its own mapper (its modules for Quantity, IntOrString and
   * the like) and keeps it to itself; reading straight into the model classes from a token
   * buffer, with no tree and no second pass through fabric8's type-finding deserializer, needs
   * that very mapper.
   */
  private static final class Serialization extends KubernetesSerialization {
    private ObjectMapper mapper;

    Serialization(ObjectMapper base) {
      super(base, true);
    }

    @Override
    protected ObjectMapper configureMapper(ObjectMapper given) {
      mapper = super.configureMapper(given);
      return mapper;
    }
  }

  /** Reads {@code path}: a file, or every .json, .yaml and .yml file under a directory. */
  public void read(Path path, Sink sink) {
    String name = path.toString();
    if (Files.isDirectory(path)) {
      List<Path> files = new ArrayList<>();
      try (Stream<Path> walk = Files.walk(path)) {
        walk.filter(Files::isRegularFile).filter(DumpReader::dumpName).sorted().forEach(files::add);
      } catch (IOException | java.io.UncheckedIOException e) {
        sink.problem(
            new Problem(
                name,
                0,
                "cannot read directory "
                    + name
                    + ": "
                    + dev.oomlens.core.source.IoReasons.of(
                        e instanceof IOException io
                            ? io
                            : ((java.io.UncheckedIOException) e).getCause()),
                Problem.Kind.UNREADABLE));
        sink.fileRead(name);
        return;
      }
      if (files.isEmpty()) {
        sink.problem(
            new Problem(
                name, 0, "no .json, .yaml or .yml files in " + name, Problem.Kind.UNREADABLE));
        sink.fileRead(name);
      }
      files.forEach(f -> readFile(f, sink));
      return;
    }
    readFile(path, sink);
  }

  private static boolean dumpName(Path p) {
    String n = p.getFileName().toString();
    return n.endsWith(".json") || n.endsWith(".yaml") || n.endsWith(".yml");
  }

  private void readFile(Path path, Sink sink) {
    String name = path.toString();
    try (InputStream in = new BufferedInputStream(Files.newInputStream(path), 1 << 16)) {
      read(in, name, sink);
    } catch (IOException e) {
      sink.problem(
          new Problem(
              name,
              0,
              "cannot read " + name + ": " + dev.oomlens.core.source.IoReasons.of(e),
              Problem.Kind.UNREADABLE));
    }
    sink.fileRead(name);
  }

  /** Reads one stream named {@code name}; the caller calls {@link Sink#fileRead}. */
  public void read(InputStream in, String name, Sink sink) throws IOException {
    in.mark(4096);
    byte[] head = in.readNBytes(4096);
    in.reset();
    int first = firstSignificant(head);
    if (first < 0) {
      return;
    }
    if (!text(head)) {
      sink.problem(
          new Problem(name, 0, name + " is not a JSON or YAML text file", Problem.Kind.NOT_TEXT));
      return;
    }
    try {
      if (first == '{' || first == '[') {
        readJson(in, name, sink);
      } else {
        readYaml(in, name, sink);
      }
    } catch (JacksonException e) {
      long line = e.getLocation() == null ? 0 : Math.max(0, e.getLocation().getLineNr());
      sink.problem(
          new Problem(
              name,
              line,
              "not valid "
                  + (first == '{' || first == '[' ? "JSON" : "YAML")
                  + ": "
                  + e.getOriginalMessage().lines().findFirst().orElse(""),
              Problem.Kind.DAMAGED));
    }
  }

  private static int firstSignificant(byte[] head) {
    for (byte b : head) {
      if (b != ' ' && b != '\n' && b != '\r' && b != '\t') {
        return b & 0xff;
      }
    }
    return -1;
  }

  private static boolean text(byte[] head) {
    for (byte b : head) {
      if (b == 0) {
        return false;
      }
    }
    return true;
  }

  private void readJson(InputStream in, String name, Sink sink) {
    try (JsonParser p = JSON.createParser(in)) {
      JsonToken t;
      while ((t = p.nextToken()) != null) {
        long line = p.currentTokenLocation().getLineNr();
        if (t == JsonToken.START_ARRAY) {
          while (p.nextToken() != JsonToken.END_ARRAY) {
            long at = p.currentTokenLocation().getLineNr();
            item(p.readValueAsTree(), name, at, sink);
          }
          continue;
        }
        if (t != JsonToken.START_OBJECT) {
          sink.problem(new Problem(name, line, "expected a JSON object, found " + t));
          p.skipChildren();
          continue;
        }
        ObjectNode head = JSON.createObjectNode();
        boolean items = false;
        while (p.nextToken() == JsonToken.PROPERTY_NAME) {
          String field = p.currentName();
          JsonToken v = p.nextToken();
          if (field.equals("items") && v == JsonToken.START_ARRAY) {
            items = true;
            while (p.nextToken() != JsonToken.END_ARRAY) {
              long at = p.currentTokenLocation().getLineNr();
              if (p.currentToken() == JsonToken.START_OBJECT) {
                buffered(p, name, at, sink);
              } else {
                item(p.readValueAsTree(), name, at, sink);
              }
            }
          } else {
            head.set(field, (JsonNode) p.readValueAsTree());
          }
        }
        if (!items) {
          item(head, name, line, sink);
        }
      }
    }
  }

  private void readYaml(InputStream in, String name, Sink sink) {
    try (MappingIterator<JsonNode> docs = YAML.readerFor(JsonNode.class).readValues(in)) {
      while (docs.hasNextValue()) {
        long line = docs.currentLocation() == null ? 0 : docs.currentLocation().getLineNr();
        JsonNode doc = docs.nextValue();
        if (doc == null || doc.isNull() || doc.isMissingNode()) {
          continue;
        }
        if (doc.isObject() && doc.path("items").isArray()) {
          for (JsonNode i : doc.get("items")) {
            item(i, name, line, sink);
          }
        } else {
          item(doc, name, line, sink);
        }
      }
    }
  }

  /*
   * One item of a List: its tokens are copied once into a buffer, its apiVersion and kind read
   * from the buffer's top level, and then either skipped (a kind no rule reads: ConfigMaps,
   * Secrets, Services) or read straight into its model class. A List nested in a List, or an
   * item whose class fabric8 does not know, takes the tree path.
   */
  private void buffered(JsonParser p, String name, long line, Sink sink) {
    TokenBuffer tb = TokenBuffer.forBuffering(p, p.objectReadContext());
    tb.copyCurrentStructure(p);
    String apiVersion = null;
    String kind = null;
    String objectName = null;
    try (JsonParser q = tb.asParser(p.objectReadContext())) {
      q.nextToken();
      while (q.nextToken() == JsonToken.PROPERTY_NAME) {
        String field = q.currentName();
        JsonToken v = q.nextToken();
        if (v == JsonToken.VALUE_STRING && field.equals("apiVersion")) {
          apiVersion = q.getString();
        } else if (v == JsonToken.VALUE_STRING && field.equals("kind")) {
          kind = q.getString();
        } else if (v == JsonToken.START_OBJECT && field.equals("metadata")) {
          while (q.nextToken() == JsonToken.PROPERTY_NAME) {
            String f = q.currentName();
            if (q.nextToken() == JsonToken.VALUE_STRING && f.equals("name")) {
              objectName = q.getString();
            } else {
              q.skipChildren();
            }
          }
        } else {
          q.skipChildren();
        }
      }
    }
    if (kind != null
        && apiVersion != null
        && !kind.endsWith("List")
        && !ClusterConverter.reads(kind)) {
      return;
    }
    Class<? extends KubernetesResource> type =
        kind == null || apiVersion == null
            ? null
            : serialization.getRegisteredKubernetesResource(apiVersion, kind);
    if (type == null || kind.endsWith("List")) {
      try (JsonParser q = tb.asParser(p.objectReadContext())) {
        item(serialization.mapper.readTree(q), name, line, sink);
      }
      return;
    }
    KubernetesResource r;
    try (JsonParser q = tb.asParser(p.objectReadContext())) {
      r = serialization.mapper.readValue(q, type);
    } catch (RuntimeException e) {
      sink.problem(
          new Problem(
              name,
              line,
              kind
                  + " "
                  + (objectName == null ? "(no name)" : objectName)
                  + " cannot be read: "
                  + firstLine(e)));
      return;
    }
    if (r instanceof HasMetadata h) {
      sink.object(h, name);
    }
  }

  private void item(JsonNode node, String name, long line, Sink sink) {
    if (!node.isObject()) {
      sink.problem(
          new Problem(
              name,
              line,
              "expected a Kubernetes object, found "
                  + node.getNodeType().name().toLowerCase(java.util.Locale.ROOT)));
      return;
    }
    String kind = node.path("kind").asString("");
    String apiVersion = node.path("apiVersion").asString("");
    if (kind.isEmpty() || apiVersion.isEmpty()) {
      sink.problem(
          new Problem(
              name,
              line,
              "an object without apiVersion or kind ("
                  + node.path("metadata").path("name").asString("no name")
                  + "); skipped"));
      return;
    }
    if (kind.endsWith("List") && node.path("items").isArray()) {
      for (JsonNode i : node.get("items")) {
        item(i, name, line, sink);
      }
      return;
    }
    KubernetesResource r;
    try {
      r = serialization.convertValue(node, KubernetesResource.class);
    } catch (RuntimeException e) {
      sink.problem(
          new Problem(
              name,
              line,
              kind
                  + " "
                  + node.path("metadata").path("name").asString("(no name)")
                  + " cannot be read: "
                  + firstLine(e)));
      return;
    }
    if (r instanceof HasMetadata h) {
      sink.object(h, name);
    }
  }

  private static String firstLine(RuntimeException e) {
    String m = e instanceof JacksonException je ? je.getOriginalMessage() : e.getMessage();
    return m == null ? e.getClass().getSimpleName() : m.lines().findFirst().orElse("");
  }
}
