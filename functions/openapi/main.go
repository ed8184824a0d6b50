// Command openapi is the Lambda function of the portal route "openapi".
package main

import "github.com/bank/devportal/shared/app"

func main() { app.StartHTTP("openapi") }
