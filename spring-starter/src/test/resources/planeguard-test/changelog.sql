--liquibase formatted sql

--changeset planeguard-test:1
CREATE TABLE accounts (id bigint PRIMARY KEY, name text NOT NULL);
