// Command credential-verify is the Lambda function of the portal route "credential-verify".
package main

import "github.com/bank/devportal/shared/app"

func main() { app.StartHTTP("credential-verify") }
