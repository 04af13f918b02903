package io.kavach.ledger.config;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.BigIntegerNode;
import com.fasterxml.jackson.databind.node.BooleanNode;
import com.fasterxml.jackson.databind.node.ContainerNode;
import com.fasterxml.jackson.databind.node.DecimalNode;
import com.fasterxml.jackson.databind.node.IntNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.LongNode;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.POJONode;
import com.fasterxml.jackson.databind.node.TextNode;
import io.kavach.ledger.core.FieldError;
import io.kavach.ledger.core.Names;
import io.kavach.ledger.core.NumberText;
import java.io.IOException;
import java.io.InputStream;
import java.math.BigInteger;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The one way a client's document (a JSON request body, an agentkavach.yaml, an SDK ingest event)
 * becomes values the ledger reads, with a bound on everything: nesting depth, the length of a
 * string and of a field name, duplicate keys (an error, never "the last one wins"), and every
 * number judged on its text by {@link NumberText} <em>before</em> it is converted. A number
 * outside that bound, or NaN/Infinity, is not converted at all: the tree holds a
 * {@link RefusedNumber} marker in its place, which the readers report with the field's path, so
 * a 422 still lists every problem of the request.
 */
public final class ClientInput {

    public static final int NESTING_DEPTH_MAX = 32;
    /** Characters of one string value; longer strings stop the parse (400) before they are held whole. */
    public static final int STRING_LENGTH_MAX = 1024 * 1024;
    /** Characters of one field name. */
    public static final int NAME_LENGTH_MAX = 1024;

    public static final StreamReadConstraints CONSTRAINTS = StreamReadConstraints.builder()
            .maxNestingDepth(NESTING_DEPTH_MAX)
            // Long number text is read (it is cheap) and refused by NumberText with the field's path.
            .maxNumberLength(1000)
            .maxStringLength(STRING_LENGTH_MAX)
            .maxNameLength(NAME_LENGTH_MAX)
            .build();

    private static final JsonFactory JSON = JsonFactory.builder()
            .streamReadConstraints(CONSTRAINTS)
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            // NaN and Infinity (Python's json.dumps writes them) are read as numbers so that the
            // field holding one is refused alone, not the whole document as malformed.
            .enable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS)
            .build();

    /** Stands where a client wrote a number outside {@link NumberText}'s bound (or NaN, Infinity). */
    public record RefusedNumber(String rule) {
    }

    private ClientInput() {
    }

    public static JsonParser jsonParser(InputStream in) throws IOException {
        return JSON.createParser(in);
    }

    public static JsonParser jsonParser(byte[] in) throws IOException {
        return JSON.createParser(in);
    }

    /** Why the node stands for a refused number, or empty when it is any other value. */
    public static Optional<String> refusedNumber(JsonNode node) {
        return node instanceof POJONode pojo && pojo.getPojo() instanceof RefusedNumber refused
                ? Optional.of(refused.rule()) : Optional.empty();
    }

    /**
     * Reads one whole value, starting at the parser's current token (or the next one when there is
     * none yet), iteratively: depth is bounded by the parser's constraints, not by the stack.
     * Returns null at the end of input.
     */
    public static JsonNode readTree(JsonParser parser) throws IOException {
        JsonToken token = parser.currentToken() == null ? parser.nextToken() : parser.currentToken();
        if (token == null) {
            return null;
        }
        if (token != JsonToken.START_OBJECT && token != JsonToken.START_ARRAY) {
            return scalar(parser, token);
        }
        ContainerNode<?> root = token == JsonToken.START_OBJECT
                ? JsonNodeFactory.instance.objectNode() : JsonNodeFactory.instance.arrayNode();
        Deque<ContainerNode<?>> open = new ArrayDeque<>();
        open.push(root);
        while (!open.isEmpty()) {
            token = parser.nextToken();
            if (token == null) {
                throw new JsonParseException(parser, "unexpected end of input");
            }
            if (token == JsonToken.END_OBJECT || token == JsonToken.END_ARRAY) {
                open.pop();
                continue;
            }
            ContainerNode<?> parent = open.peek();
            String name = null;
            if (parent instanceof ObjectNode) {
                name = parser.currentName(); // FIELD_NAME: the value follows
                token = parser.nextToken();
            }
            JsonNode value;
            if (token == JsonToken.START_OBJECT || token == JsonToken.START_ARRAY) {
                ContainerNode<?> child = token == JsonToken.START_OBJECT
                        ? JsonNodeFactory.instance.objectNode() : JsonNodeFactory.instance.arrayNode();
                open.push(child);
                value = child;
            } else {
                value = scalar(parser, token);
            }
            if (parent instanceof ObjectNode object) {
                object.set(name, value);
            } else {
                ((ArrayNode) parent).add(value);
            }
        }
        return root;
    }

    /** The scalar at the current token; a number is judged on its text before it is converted. */
    public static JsonNode scalar(JsonParser parser, JsonToken token) throws IOException {
        return switch (token) {
            case VALUE_STRING -> TextNode.valueOf(parser.getText());
            case VALUE_TRUE -> BooleanNode.TRUE;
            case VALUE_FALSE -> BooleanNode.FALSE;
            case VALUE_NULL -> NullNode.instance;
            case VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT -> number(parser, token);
            default -> throw new JsonParseException(parser, "unsupported value (" + token + ")");
        };
    }

    private static JsonNode number(JsonParser parser, JsonToken token) throws IOException {
        if (parser.isNaN()) {
            return new POJONode(new RefusedNumber(NumberText.FINITE_RULE));
        }
        if (!NumberText.isBounded(parser.getText())) {
            return new POJONode(new RefusedNumber(NumberText.RULE));
        }
        if (token == JsonToken.VALUE_NUMBER_FLOAT) {
            // Normalised as Jackson's own tree reader does, so stored documents compare equal on re-import.
            return DecimalNode.valueOf(parser.getDecimalValue().stripTrailingZeros());
        }
        BigInteger value = parser.getBigIntegerValue();
        if (value.bitLength() < 32) {
            return IntNode.valueOf(value.intValue());
        }
        return value.bitLength() < 64 ? LongNode.valueOf(value.longValue()) : BigIntegerNode.valueOf(value);
    }

    /**
     * What is wrong with a document a client asks the ledger to keep (YAML extras, SDK alert
     * configs): every refused number, and every field name or string that breaks
     * {@link Names#isCleanText} (a NUL cannot be stored; bidi controls spoof what is shown), each
     * at its path.
     */
    public static List<FieldError> documentProblems(JsonNode document, String path) {
        List<FieldError> problems = new ArrayList<>();
        collect(document, path, problems);
        return problems;
    }

    private static void collect(JsonNode node, String path, List<FieldError> problems) {
        if (node == null) {
            return;
        }
        Optional<String> refused = refusedNumber(node);
        if (refused.isPresent()) {
            problems.add(new FieldError(where(path), refused.get()));
        } else if (node.isTextual()) {
            if (!Names.isCleanText(node.textValue())) {
                problems.add(new FieldError(where(path), Names.CLEAN_TEXT_RULE));
            }
        } else if (node.isObject()) {
            for (Iterator<Map.Entry<String, JsonNode>> fields = node.fields(); fields.hasNext(); ) {
                Map.Entry<String, JsonNode> field = fields.next();
                String fieldPath = path.isEmpty() ? field.getKey() : path + "." + field.getKey();
                if (!Names.isCleanText(field.getKey())) {
                    // The name itself is what cannot be stored or shown: report it by position.
                    problems.add(new FieldError(where(path), "has a field name that " + Names.CLEAN_TEXT_RULE));
                    continue;
                }
                collect(field.getValue(), fieldPath, problems);
            }
        } else if (node.isArray()) {
            for (int i = 0; i < node.size(); i++) {
                collect(node.get(i), path + "[" + i + "]", problems);
            }
        }
    }

    private static String where(String path) {
        return path.isEmpty() ? "(body)" : path;
    }
}
