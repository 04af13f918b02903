package io.kavach.ledger.api;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import com.fasterxml.jackson.databind.JsonNode;
import io.kavach.ledger.config.ClientInput;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.MultivaluedMap;
import jakarta.ws.rs.ext.Provider;
import java.io.IOException;
import java.io.InputStream;
import java.lang.annotation.Annotation;
import java.lang.reflect.Type;
import org.jboss.resteasy.reactive.server.core.ResteasyReactiveRequestContext;
import org.jboss.resteasy.reactive.server.spi.ResteasyReactiveResourceInfo;
import org.jboss.resteasy.reactive.server.spi.ServerMessageBodyReader;
import org.jboss.resteasy.reactive.server.spi.ServerRequestContext;

/**
 * Every JSON request body a resource takes as a {@link JsonNode} is read here, and only here:
 * through {@link BodyLimits}' bound for its route (413 problem when exceeded, chunked or not)
 * and {@link ClientInput}'s bounded tree (numbers judged on their text, depth, string and name
 * lengths, duplicate keys refused). Malformed JSON is a 400 naming the line and column.
 * Registered as an application provider, so it is chosen over the built-in Jackson reader.
 */
@Provider
@Consumes({MediaType.APPLICATION_JSON, "application/*+json"})
public class JsonBodyReader implements ServerMessageBodyReader<JsonNode> {

    @Override
    public boolean isReadable(Class<?> type, Type genericType, ResteasyReactiveResourceInfo lazyMethod, MediaType mediaType) {
        return type == JsonNode.class;
    }

    @Override
    public boolean isReadable(Class<?> type, Type genericType, Annotation[] annotations, MediaType mediaType) {
        return type == JsonNode.class;
    }

    @Override
    public JsonNode readFrom(Class<JsonNode> type, Type genericType, MediaType mediaType, ServerRequestContext context)
            throws IOException {
        long bytesMax = BodyLimits.DEFAULT_BYTES_MAX;
        if (context instanceof ResteasyReactiveRequestContext request) {
            bytesMax = BodyLimits.bytesMax(request.serverRequest().getRequestMethod(),
                    request.serverRequest().getRequestNormalisedPath());
        }
        return read(context.getInputStream(), bytesMax);
    }

    @Override
    public JsonNode readFrom(Class<JsonNode> type, Type genericType, Annotation[] annotations, MediaType mediaType,
                             MultivaluedMap<String, String> httpHeaders, InputStream entityStream) throws IOException {
        return read(entityStream, BodyLimits.DEFAULT_BYTES_MAX);
    }

    /** One JSON value, at most {@code bytesMax} bytes; an empty body is null (the resource says what it needs). */
    static JsonNode read(InputStream body, long bytesMax) {
        try (JsonParser parser = ClientInput.jsonParser(BoundedBody.limited(body, bytesMax))) {
            JsonNode root = ClientInput.readTree(parser);
            if (root != null && parser.nextToken() != null) {
                throw ProblemException.badRequest("malformed_json", "The body must hold exactly one JSON value");
            }
            return root;
        } catch (StreamConstraintsException e) {
            throw ProblemException.badRequest("malformed_json", "The body exceeds a parsing limit: "
                    + firstLine(e.getOriginalMessage()));
        } catch (JsonProcessingException e) {
            throw malformed(e);
        } catch (IOException e) {
            throw ProblemException.badRequest("unreadable_body", "The body could not be read");
        }
    }

    static ProblemException malformed(JsonProcessingException e) {
        String where = e.getLocation() == null ? ""
                : " at line " + e.getLocation().getLineNr() + ", column " + e.getLocation().getColumnNr();
        return ProblemException.badRequest("malformed_json", "The body is not valid JSON" + where);
    }

    private static String firstLine(String message) {
        if (message == null) {
            return "limit exceeded";
        }
        int newline = message.indexOf('\n');
        String line = newline < 0 ? message : message.substring(0, newline);
        // Jackson names the setting to change (StreamReadConstraints.getMaxStringLength()): keep only the words.
        int hint = line.indexOf(" (");
        return hint > 0 ? line.substring(0, hint) : line;
    }
}
