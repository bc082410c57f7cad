package dev.planeguard.jaxrs.internal;

import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.MultivaluedMap;
import jakarta.ws.rs.ext.MessageBodyWriter;
import java.io.IOException;
import java.io.OutputStream;
import java.lang.annotation.Annotation;
import java.lang.reflect.Type;

/** Writes a {@link RefusalEntity} as the exact bytes of its {@link dev.planeguard.Refusal}. */
@Produces("application/problem+json")
public final class RefusalWriter implements MessageBodyWriter<RefusalEntity> {

  @Override
  public boolean isWriteable(
      Class<?> type, Type genericType, Annotation[] annotations, MediaType mediaType) {
    return type == RefusalEntity.class;
  }

  @Override
  public long getSize(
      RefusalEntity entity,
      Class<?> type,
      Type genericType,
      Annotation[] annotations,
      MediaType mediaType) {
    return entity.refusal().contentLength();
  }

  @Override
  public void writeTo(
      RefusalEntity entity,
      Class<?> type,
      Type genericType,
      Annotation[] annotations,
      MediaType mediaType,
      MultivaluedMap<String, Object> headers,
      OutputStream out)
      throws IOException {
    entity.refusal().writeBody(out);
  }
}
