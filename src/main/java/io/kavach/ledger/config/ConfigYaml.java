package io.kavach.ledger.config;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import com.fasterxml.jackson.core.util.JsonParserDelegate;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLParser;
import io.kavach.ledger.core.DomainError;
import io.kavach.ledger.core.FieldError;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.yaml.snakeyaml.LoaderOptions;

/**
 * Safe reading and writing of agentkavach.yaml. The Jackson YAML parser only produces a tree of
 * plain values (no tags are honoured, no Java types constructed); on top of that aliases are
 * refused (so no "billion laughs"), duplicate keys are errors (a second {@code limit} must not
 * silently win), nesting depth and document size are bounded, and only one document is allowed.
 Just
 * over 300 lines: each of those guards sits beside the parser it guards.
 */
public final class ConfigYaml {

    /** The largest configuration accepted: 1 MiB, far beyond any real file. */
    public static final int BODY_BYTES_MAX = 1024 * 1024;
    /** The longest line of a YAML configuration (see {@link #checkLineLengths}). */
    public static final int LINE_BYTES_MAX = 8 * 1024;

    private static final YAMLMapper YAML;
    private static final ObjectMapper JSON;
    private static final ObjectMapper STORED = JsonMapper.builder()
            .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
            .build();

    static {
        LoaderOptions loader = new LoaderOptions();
        loader.setAllowDuplicateKeys(false);
        loader.setNestingDepthLimit(ClientInput.NESTING_DEPTH_MAX);
        loader.setCodePointLimit(BODY_BYTES_MAX);
        StreamReadConstraints constraints = StreamReadConstraints.builder()
                .maxNestingDepth(ClientInput.NESTING_DEPTH_MAX)
                .maxNumberLength(64)
                .maxStringLength(BODY_BYTES_MAX)
                .build();
        YAMLFactory factory = YAMLFactory.builder()
                .loaderOptions(loader)
                .streamReadConstraints(constraints)
                .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
                .disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER)
                .enable(YAMLGenerator.Feature.MINIMIZE_QUOTES)
                .enable(YAMLGenerator.Feature.ALWAYS_QUOTE_NUMBERS_AS_STRINGS)
                .enable(YAMLGenerator.Feature.INDENT_ARRAYS_WITH_INDICATOR)
                .build();
        YAML = new YAMLMapper(factory);
        YAML.enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS);
        YAML.enable(JsonGenerator.Feature.WRITE_BIGDECIMAL_AS_PLAIN);
        JSON = JsonMapper.builder()
                .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
                .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
                .enable(JsonGenerator.Feature.WRITE_BIGDECIMAL_AS_PLAIN)
                .build();
        JSON.getFactory().setStreamReadConstraints(constraints);
    }

    /** Numbers in a configuration carry at most this many digits before, and after, the point. */
    public static final int NUMBER_DIGITS_MAX = 20;

    private ConfigYaml() {
    }

    /**
     * Every number in {@code node} that was refused as text ({@link ClientInput}) or has more than
     * {@link #NUMBER_DIGITS_MAX} digits before or after the decimal point, as errors at their paths. Short input such as {@code 1e309} is otherwise
     * stored by PostgreSQL's jsonb as 310 digits, which no sane configuration means and which the
     * stored document could then not be read back from.
     */
    public static List<FieldError> unboundedNumbers(JsonNode node, String path) {
        List<FieldError> errors = new ArrayList<>();
        collectUnboundedNumbers(node, path, errors, true);
        return errors;
    }

    /**
     * As {@link #unboundedNumbers}, but only the storage bound of {@link #NUMBER_DIGITS_MAX}
     * digits: for documents whose refused numbers are reported by
     * {@link ClientInput#documentProblems} already.
     */
    public static List<FieldError> longNumbers(JsonNode node, String path) {
        List<FieldError> errors = new ArrayList<>();
        collectUnboundedNumbers(node, path, errors, false);
        return errors;
    }

    private static void collectUnboundedNumbers(JsonNode node, String path,
                                                List<FieldError> errors,
                                                boolean refusedToo) {
        if (node == null) {
            return;
        }
        Optional<String> refused = ClientInput.refusedNumber(node);
        if (refused.isPresent()) {
            if (refusedToo) {
                errors.add(new FieldError(path.isEmpty() ? "(body)" : path, refused.get()));
            }
        } else if (node.isNumber()) {
            BigDecimal value = node.decimalValue();
            if (value.precision() - value.scale() > NUMBER_DIGITS_MAX || value.scale() > NUMBER_DIGITS_MAX) {
                errors.add(new FieldError(path.isEmpty() ? "(body)" : path,
                        "must be a number with at most " + NUMBER_DIGITS_MAX + " digits before and after the point"));
            }
        } else if (node.isObject()) {
            node.fields().forEachRemaining(field -> collectUnboundedNumbers(field.getValue(),
                    path.isEmpty() ? field.getKey() : path + "." + field.getKey(), errors, refusedToo));
        } else if (node.isArray()) {
            for (int i = 0; i < node.size(); i++) {
                collectUnboundedNumbers(node.get(i), path + "[" + i + "]", errors, refusedToo);
            }
        }
    }

    private static JsonNode withBoundedNumbers(JsonNode root) {
        List<FieldError> errors = unboundedNumbers(root, "");
        if (!errors.isEmpty()) {
            throw new DomainError.InvalidInput(errors);
        }
        return root;
    }

    /** Parses one YAML document; malformed input is a 400 naming the line and column. */
    public static JsonNode parseYaml(byte[] body) {
        checkSize(body);
        checkLineLengths(body);
        try (JsonParser parser = new AliasRefusingParser(YAML.getFactory().createParser(body))) {
            JsonNode root = ClientInput.readTree(parser);
            if (parser.nextToken() != null) {
                throw new DomainError.UnreadableBody("malformed_yaml",
                        "The body must hold exactly one YAML document");
            }
            return withBoundedNumbers(root);
        } catch (JsonProcessingException e) {
            throw malformed("YAML", e);
        } catch (IOException e) {
            throw new DomainError.UnreadableBody("malformed_yaml", "The body could not be read as YAML");
        } catch (RuntimeException e) {
            if (e instanceof DomainError refused) {
                throw refused;
            }
            // SnakeYAML's own limits (code points, depth) surface as its runtime exceptions.
            throw new DomainError.UnreadableBody("malformed_yaml", "The body is not valid YAML: "
                    + firstLine(e.getMessage()));
        }
    }

    /** Parses the same structure sent as JSON. */
    public static JsonNode parseJson(byte[] body) {
        checkSize(body);
        try (JsonParser parser = JSON.getFactory().createParser(body)) {
            JsonNode root = ClientInput.readTree(parser);
            if (parser.nextToken() != null) {
                throw new DomainError.UnreadableBody("malformed_json", "The body must hold exactly one JSON value");
            }
            return withBoundedNumbers(root);
        } catch (JsonProcessingException e) {
            throw malformed("JSON", e);
        } catch (IOException e) {
            throw new DomainError.UnreadableBody("malformed_json", "The body could not be read as JSON");
        }
    }

    public static String writeYaml(JsonNode document) {
        try {
            return YAML.writeValueAsString(document);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static String writeJson(JsonNode document) {
        try {
            return JSON.writeValueAsString(document);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Reads JSON text stored by the ledger itself (config_extras, sdk_config), with Jackson's
     * default limits rather than the tighter ones for client input: jsonb writes numbers out in
     * full, so a stored document may be longer than the input it came from.
     */
    public static JsonNode readStoredJson(String json) {
        try {
            return json == null ? null : STORED.readTree(json);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * SnakeYAML copies its whole look-ahead window for every kilobyte it reads ahead within one
     * token, so a single 600 KB line costs seconds of CPU and a gigabyte of garbage: lines are
     * bounded before it sees them. No real configuration line comes near the bound.
     */
    private static void checkLineLengths(byte[] body) {
        int start = 0;
        for (int i = 0; i <= body.length; i++) {
            if (i == body.length || body[i] == '\n' || body[i] == '\r') {
                if (i - start > LINE_BYTES_MAX) {
                    throw new DomainError.UnreadableBody("malformed_yaml", "Line " + (lineNumber(body, start))
                            + " is longer than " + LINE_BYTES_MAX + " bytes; a configuration line must be shorter");
                }
                start = i + 1;
            }
        }
    }

    private static int lineNumber(byte[] body, int offset) {
        int line = 1;
        for (int i = 0; i < offset; i++) {
            if (body[i] == '\n') {
                line++;
            }
        }
        return line;
    }

    private static void checkSize(byte[] body) {
        if (body == null || body.length == 0) {
            throw new DomainError.UnreadableBody("body_required",
                    "A configuration body is required (an agentkavach.yaml document)");
        }
        if (body.length > BODY_BYTES_MAX) {
            throw bodyTooLarge();
        }
    }

    public static DomainError bodyTooLarge() {
        return new DomainError.BodyTooLarge("A configuration may be at most " + BODY_BYTES_MAX + " bytes");
    }

    private static DomainError malformed(String format, JsonProcessingException e) {
        String reason = "malformed_" + format.toLowerCase();
        if (e instanceof StreamConstraintsException) {
            return new DomainError.UnreadableBody(reason, "The document exceeds a parsing limit: " + firstLine(e.getOriginalMessage()));
        }
        JsonLocation location = e.getLocation();
        String where = location == null || location.getLineNr() < 1 ? ""
                : " at line " + location.getLineNr() + ", column " + location.getColumnNr();
        return new DomainError.UnreadableBody(reason, "The body is not valid " + format + where + ": "
                + firstLine(e.getOriginalMessage()));
    }

    private static String firstLine(String message) {
        if (message == null) {
            return "unreadable";
        }
        int newline = message.indexOf('\n');
        String line = newline < 0 ? message : message.substring(0, newline);
        // A wrapped cause reads "java.io.CharConversionException: …": keep the words, not the class.
        line = line.replaceAll("\\b(?:[a-z_][a-z0-9_]*\\.)+[A-Z][A-Za-z0-9_]*(?:Exception|Error): ", "");
        return line.length() > 200 ? line.substring(0, 200) : line;
    }

    /** Refuses YAML aliases (Jackson would hand them over as the anchor's name) and explicit tags. */
    private static final class AliasRefusingParser extends JsonParserDelegate {

        AliasRefusingParser(JsonParser parser) {
            super(parser);
        }

        @Override
        public JsonToken nextToken() throws IOException {
            JsonToken token = delegate.nextToken();
            if (delegate instanceof YAMLParser yaml && token != null) {
                if (yaml.isCurrentAlias()) {
                    throw new JsonParseException(this,
                            "YAML aliases (*name) are not supported; write the value out");
                }
                // Tags (!!python/object, !custom, ...) are never honoured; refusing them says so
                // instead of quietly reading the value as plain data.
                if (token != JsonToken.FIELD_NAME && token != JsonToken.END_OBJECT && token != JsonToken.END_ARRAY
                        && yaml.getTypeId() != null) {
                    throw new JsonParseException(this,
                            "YAML tags (" + yaml.getTypeId() + ") are not supported");
                }
            }
            return token;
        }

        @Override
        public String nextFieldName() throws IOException {
            return nextToken() == JsonToken.FIELD_NAME ? currentName() : null;
        }
    }
}
